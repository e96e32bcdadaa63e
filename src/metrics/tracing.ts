/** Moleculer tracer options from SWITCHBOARD_TRACING, with Switchboard's tags (never params: they hold bodies and headers). */
import type { Context, TracerOptions } from 'moleculer';
import { TRACING_EXPORTERS, type OpsEnv } from '../config/ops-env';

type Params = { channelId?: unknown; tenantId?: unknown; eventId?: unknown; integration?: unknown } | null | undefined;

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** Tags of an action or channel span: event id, tenant, channel and integration when known (from params or the answer). */
export function switchboardSpanTags(ctx: Context, response?: unknown): Record<string, string> {
  const p = ctx.params as Params;
  const r = (response ?? null) as { eventId?: unknown; integration?: unknown; channelId?: unknown } | null;
  const service = (ctx.service as { name?: string } | undefined)?.name;
  const tags: Record<string, string | undefined> = {
    eventId: str(p?.eventId) ?? str(r?.eventId),
    tenant: str(p?.tenantId),
    channel: str(p?.channelId) ?? str(r?.channelId),
    integration: str(p?.integration) ?? str(r?.integration) ?? (ctx.action?.name?.includes('.i_') ? service : undefined),
  };
  return Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** Tracer options for the broker: off without SWITCHBOARD_TRACING. */
export function tracingOptions(env: OpsEnv): TracerOptions | undefined {
  if (!env.tracing) return undefined;
  const type = TRACING_EXPORTERS[env.tracing.exporter];
  const endpoint = env.tracing.endpoint;
  const exporterOptions =
    !endpoint ? {}
      : type === 'Zipkin' ? { baseURL: endpoint }
        : type === 'Jaeger' ? { endpoint }
          : type === 'Datadog' ? { agentUrl: endpoint }
            : type === 'NewRelic' ? { baseURL: endpoint }
              : {};
  return {
    enabled: true,
    exporter: [{ type, options: exporterOptions }],
    tags: { action: switchboardSpanTags as never, event: switchboardSpanTags as never },
  } as TracerOptions;
}
