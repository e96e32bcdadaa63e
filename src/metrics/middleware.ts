/**
 * `createMetricsMiddleware`: records the `switchboard_*` series where things happen — around
 * `i_receiveWebhook` and `i_sendMessage`, queued sends, `sendToChannel` (publish latency) — and
 * samples JetStream consumers. Place it after the channels middleware. Does nothing with metrics off.
 */
import type { ActionSchema, Middleware, ServiceBroker } from 'moleculer';
import type { NatsConnection } from 'nats';
import { NAMESPACE } from '../channels/names';
import { withMetricsScope } from './context';
import { SWITCHBOARD_METRICS as M, registerSwitchboardMetrics } from './names';
import { attemptsOf, sendErrorOutcome, sendResultOutcome, webhookErrorOutcome, webhookResultOutcome } from './outcomes';
import { DEFAULT_SAMPLE_INTERVAL_MS, sampleConsumers } from './sampler';

export interface MetricsMiddlewareOptions {
  /** Namespace of the channels to sample. Default `switchboard`. */
  namespace?: string;
  /** How often JetStream consumer info is read (0 = never). Default {@link DEFAULT_SAMPLE_INTERVAL_MS}. */
  sampleIntervalMs?: number;
}

type Handler = (...args: unknown[]) => Promise<unknown>;
type ActionLike = Partial<ActionSchema> & { name?: string; rawName?: string; service?: { name?: string } };

/** The broker's channel adapter's NATS connection, when it runs on JetStream. */
function natsOf(broker: ServiceBroker): NatsConnection | null {
  const adapter = (broker as unknown as { channelAdapter?: { connection?: NatsConnection | null } }).channelAdapter;
  return adapter?.connection ?? null;
}

function integrationOf(action: ActionLike, suffix: string): string {
  return action.service?.name ?? (action.name ?? '').slice(0, -suffix.length - 1);
}

/** Counts one `i_receiveWebhook` outcome (stored, duplicate, challenge, or the error's) for an integration. */
export type WebhookOutcomeCounter = <T>(integration: string, outcome: Promise<T>) => Promise<T>;

const WEBHOOK_COUNTERS = new WeakMap<ServiceBroker, WebhookOutcomeCounter>();

/**
 * The counter the middleware puts around `i_receiveWebhook`, for a caller that runs the pipeline without the
 * action (the gateway's in-process path): undefined when metrics are off or the middleware is not loaded.
 */
export function webhookOutcomeCounter(broker: ServiceBroker): WebhookOutcomeCounter | undefined {
  return WEBHOOK_COUNTERS.get(broker);
}

export function createMetricsMiddleware(options: MetricsMiddlewareOptions = {}): Middleware {
  const namespace = options.namespace ?? NAMESPACE;
  const interval = options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
  let broker: ServiceBroker;
  let enabled = false;
  let timer: NodeJS.Timeout | null = null;
  let sampling = false;

  const count = (name: string, labels: Record<string, string>, n = 1) => { if (enabled && n > 0) broker.metrics.increment(name, labels, n); };

  const countWebhook: WebhookOutcomeCounter = (integration, outcome) => outcome.then(
    (res) => { count(M.WEBHOOKS, { integration, outcome: webhookResultOutcome(res) }); return res; },
    (err: unknown) => { count(M.WEBHOOKS, { integration, outcome: webhookErrorOutcome(err) }); throw err; },
  );

  const recordSend = (integration: string, outcome: string, resultOrError: unknown) => {
    count(M.SENDS, { integration, outcome });
    if (outcome === 'duplicate') return;
    const attempts = attemptsOf(resultOrError);
    count(M.SEND_ATTEMPTS, { integration }, attempts);
    count(M.SEND_RETRIES, { integration }, attempts - 1);
  };

  const wrapSend = (integration: string, handler: Handler): Handler => (...args) =>
    withMetricsScope(broker, integration, () => handler(...args)).then(
      (res) => { recordSend(integration, sendResultOutcome(res), res); return res; },
      (err: unknown) => { recordSend(integration, sendErrorOutcome(err), err); throw err; },
    );

  const sample = async () => {
    const nc = natsOf(broker);
    if (sampling || !nc) return;
    sampling = true;
    try {
      await sampleConsumers(broker, nc, namespace);
    } catch (err) {
      broker.logger.debug('metrics: consumer sampling failed:', (err as Error).message);
    } finally {
      sampling = false;
    }
  };

  return {
    name: 'SwitchboardMetrics',
    created(b: ServiceBroker) {
      broker = b;
      enabled = registerSwitchboardMetrics(b);
      if (enabled) WEBHOOK_COUNTERS.set(b, countWebhook);
    },
    started() {
      if (enabled && interval > 0) {
        void sample();
        timer = setInterval(() => void sample(), interval);
        timer.unref();
      }
    },
    stopped() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    localAction(handler: Handler, action: ActionLike) {
      if (!enabled) return handler;
      const raw = action.rawName ?? action.name?.split('.').pop();
      if (raw === 'i_receiveWebhook') {
        const integration = integrationOf(action, raw);
        return (...args: unknown[]) => countWebhook(integration, handler(...args));
      }
      if (raw === 'i_sendMessage') return wrapSend(integrationOf(action, raw), handler);
      return handler;
    },
    // queued sends (`<ns>.outbound.send`) run the send pipeline without the action
    localChannel(handler: Handler, chan: { name?: string }) {
      if (!enabled || !chan.name?.endsWith('.outbound.send')) return handler;
      return (first: unknown, ...rest: unknown[]) => {
        const payload = (first as { params?: unknown })?.params ?? first;
        const integration = String((payload as { integration?: unknown } | null)?.integration ?? 'unknown');
        return wrapSend(integration, handler)(first, ...rest);
      };
    },
    // wrapped from the channels middleware's `created`, before this one's: decide per call
    sendToChannel(next: Handler) {
      return (channel: unknown, ...rest: unknown[]) => {
        if (!enabled) return next(channel, ...rest);
        const started = process.hrtime.bigint();
        const labels = { channel: String(channel) };
        const took = () => Number(process.hrtime.bigint() - started) / 1e9;
        return next(channel, ...rest).then(
          (ack) => {
            broker.metrics.observe(M.PUBLISH_DURATION, took(), labels);
            count(M.PUBLISHES, { ...labels, outcome: (ack as { duplicate?: unknown } | null)?.duplicate === true ? 'duplicate' : 'stored' });
            return ack;
          },
          (err: unknown) => {
            broker.metrics.observe(M.PUBLISH_DURATION, took(), labels);
            count(M.PUBLISHES, { ...labels, outcome: 'failed' });
            throw err;
          },
        );
      };
    },
  } as unknown as Middleware;
}
