/**
 * The in-process webhook path: when the integration service runs on the gateway's own node, the route runs its
 * pipeline directly with the raw `Buffer` — no params object, no base64, no serializer, no Moleculer call — and
 * keeps what the call gave: the `action` span (tracing on), the `switchboard_webhooks_total` count, graceful-stop
 * tracking (a stopping service waits for the request) and the call's timeout. A remote integration, a service
 * not built by `defineIntegration`, or one with hooks on `i_receiveWebhook` (they run only in a call) is called
 * through the broker as before.
 */
import { Context, Errors, type ServiceBroker } from 'moleculer';
import { PayloadTooLargeError } from '../errors';
import { addDeadline, cancelDeadline } from './deadlines';
import { findInboundRuntime } from '../integration/runtime';
import type { InboundRuntime } from '../integration/inbound/actions';
import type { InboundRequest } from '../integration/inbound/request';
import { webhookOutcomeCounter } from '../metrics/middleware';
import { traceAction } from '../metrics/trace-context';
import { sdkContextHook } from '../service/define-service';
import { attachContext } from '../service/handlers';

type Endpoint = { isAvailable: boolean; action?: { name?: string }; service?: unknown };
type EndpointList = { hasLocal(): boolean; nextLocal(): Endpoint | null };
type Tracked = { _trackedContexts?: unknown[] };

type Hooks = Partial<Record<'before' | 'after' | 'error', Record<string, unknown>>>;
type SchemaOf = { schema?: { hooks?: Hooks; actions?: Record<string, { hooks?: unknown } | unknown> } };

const HOOKED = new WeakMap<object, boolean>();

/** A hook value that is only the SDK's own context hook (run by `receiveLocally` itself). */
const sdkOnly = (v: unknown) => v === sdkContextHook || (Array.isArray(v) && v.every((f) => f === sdkContextHook));

/**
 * Whether the service hooks `i_receiveWebhook` (service-level `hooks` for it or `*` other than the SDK's own
 * context hook, or action-level `hooks`): hooks run only in a broker call, so such a service keeps being called.
 */
function hooksReceive(service: object): boolean {
  let hooked = HOOKED.get(service);
  if (hooked === undefined) {
    const schema = (service as SchemaOf).schema;
    const h = schema?.hooks;
    const action = schema?.actions?.i_receiveWebhook as { hooks?: unknown } | undefined;
    hooked = (['before', 'after', 'error'] as const).some((k) => h?.[k]?.i_receiveWebhook !== undefined || (h?.[k]?.['*'] !== undefined && !sdkOnly(h[k]!['*'])))
      || (typeof action === 'object' && action !== null && action.hooks !== undefined);
    HOOKED.set(service, hooked);
  }
  return hooked;
}

/** The available local endpoint of `action` and its service's inbound runtime; undefined → call through the broker. */
export function localWebhookTarget(broker: ServiceBroker, action: string): { endpoint: Endpoint; runtime: InboundRuntime } | undefined {
  const registry = (broker as unknown as { registry?: { getActionEndpoints?(name: string): EndpointList | undefined } }).registry;
  const list = registry?.getActionEndpoints?.(action);
  if (!list?.hasLocal()) return undefined;
  const endpoint = list.nextLocal();
  if (!endpoint?.isAvailable) return undefined;
  const service = (endpoint.action as { service?: object } | undefined)?.service;
  const runtime = findInboundRuntime(service as never);
  return runtime && !hooksReceive(service!) ? { endpoint, runtime } : undefined;
}

/** Tracks `ctx` like Moleculer's context tracker, so a stopping service waits for it. */
function tracked<T>(ctx: Context, run: () => Promise<T>): Promise<T> {
  const list = (ctx.service as unknown as Tracked | undefined)?._trackedContexts ?? (ctx.broker as unknown as Tracked)._trackedContexts;
  if (!list || !ctx.broker.options.tracking?.enabled) return run();
  list.push(ctx);
  const untrack = () => { const i = list.indexOf(ctx); if (i >= 0) list.splice(i, 1); };
  return run().then((res) => { untrack(); return res; }, (err: unknown) => { untrack(); throw err; });
}

/** Rejects with Moleculer's `RequestTimeoutError` after `timeoutMs` (the pipeline itself is not cut short, as with a call). */
function withTimeout<T>(p: Promise<T>, timeoutMs: number, action: string, nodeID: string): Promise<T> {
  if (!(timeoutMs > 0)) return p;
  return new Promise<T>((resolve, reject) => {
    const deadline = addDeadline(timeoutMs, () => reject(new Errors.RequestTimeoutError({ action, nodeID })));
    p.then((v) => { cancelDeadline(deadline); resolve(v); }, (err: unknown) => { cancelDeadline(deadline); reject(err); });
  });
}

/**
 * Runs `<integration>.i_receiveWebhook` in-process for `request`, as a child of the gateway's `parent` context
 * (`getChannelConfig` receives a context of the integration's service, as with a call).
 */
export function receiveLocally(
  parent: Context, target: { endpoint: Endpoint; runtime: InboundRuntime }, action: string, integration: string,
  request: InboundRequest, timeoutMs: number,
): Promise<unknown> {
  const { runtime, endpoint } = target;
  if (request.rawBody.length > runtime.options.maxBodyBytes) {
    return Promise.reject(new PayloadTooLargeError(`body is ${request.rawBody.length} bytes; the limit is ${runtime.options.maxBodyBytes}`, { limit: runtime.options.maxBodyBytes }));
  }
  const broker = parent.broker;
  const ctx = Context.create(broker, endpoint as never, { channelId: request.channelId }, { parentCtx: parent, timeout: timeoutMs, retries: 0 });
  // what the SDK's before-'*' hook gives an action's context: `datasources`, permission helpers
  attachContext(ctx.service!, ctx);
  const count = webhookOutcomeCounter(broker);
  const run = () => traceAction(ctx, () => runtime.receive(ctx, request));
  const outcome = tracked(ctx, count ? () => count(integration, run()) : run);
  return withTimeout(outcome, timeoutMs, action, broker.nodeID);
}
