/**
 * `deliveryMixin()`: the delivery side of the `webhooks` service — the fan-out consumer of the message
 * channels, the delivery worker on `<ns>.webhooks.deliver`, and the delivery actions.
 */
import { recordDeliveryAttempt } from '../../metrics/names';
import type { Service, ServiceBroker, ServiceSchema } from 'moleculer';
import { channelNames, NAMESPACE } from '../../channels/names';
import { runtimeOf as brokerRuntime } from '../../store/broker-store';
import { createHistoryStore } from '../history';
import type { HistoryStore } from '../history/types';
import type { SubscriptionLookup } from '../types';
import { deliveryActions } from './actions';
import { defaultLookup } from './default-lookup';
import { sharedMatches } from './shared-match';
import { fanOut, matching } from './fan-out';
import { conversationOf } from './ordering';
import { KeyedSerial } from './serial';
import { deliverChannel, subscriptionDisabledChannel, type DeliveryJob } from './job';
import { resolveDeliveryOptions, type DeliveryOptions } from './options';
import { processJob } from './process-job';
import { Slots } from './slots';
import type { DeliveryRuntime } from './runtime';

/** Options of {@link deliveryMixin}. */
export interface DeliveryMixinOptions extends DeliveryOptions {
  /** Namespace of the channels. Default `SWITCHBOARD_NAMESPACE`, else `switchboard`. */
  namespace?: string;
  /** The subscriptions. Default: `subscriptionStore(broker)` from `webhooks-out/subscriptions`. */
  lookup?: (broker: ServiceBroker) => SubscriptionLookup;
  /** The history. Default: Redis when the broker has `REDIS_URL` (TTL `historyRetentionMs`), memory otherwise. */
  history?: (broker: ServiceBroker) => HistoryStore;
  /** How long deliveries and attempts are kept. Default 30 days. */
  historyRetentionMs?: number;
  /** Consumer group of the fan-out (one per deployment). Default `webhooks-fanout`. */
  fanOutGroup?: string;
  /** Consumer group of the delivery worker. Default `webhooks-deliver`. */
  deliverGroup?: string;
  /**
   * How long JetStream waits for a job's ack before another node takes it (a node that died mid-attempt).
   * A running job is kept with `working()`. Default: 30 s, at least twice the attempt deadline.
   */
  jobAckWaitMs?: number;
}

/** The `raw` a channel handler gets: a JetStream delivery (nak with delay, headers, info) or the memory adapter's. */
interface RawDelivery {
  nak?: (delayMs?: number) => void;
  headers?: { get?(k: string): string } | Record<string, string>;
  info?: { stream?: string; streamSequence?: number; timestampNanos?: string };
  seq?: number;
  stream?: string;
}

const RUNTIME = Symbol('webhooksDeliveryRuntime');
type WithRuntime = Service & { [RUNTIME]?: DeliveryRuntime };

/** The delivery runtime of a service built with {@link deliveryMixin}. */
export function deliveryRuntime(service: Service): DeliveryRuntime {
  const rt = (service as WithRuntime)[RUNTIME];
  if (!rt) throw new Error('webhooks: the delivery runtime is not set up (is deliveryMixin() in the service?)');
  return rt;
}

function eventIdOf(raw: RawDelivery | undefined): string {
  const h = raw?.headers;
  const msgId = h ? (typeof (h as { get?: unknown }).get === 'function' ? (h as { get(k: string): string }).get('Nats-Msg-Id') : (h as Record<string, string>)['Nats-Msg-Id']) : undefined;
  if (msgId) return msgId;
  const stream = raw?.info?.stream ?? raw?.stream ?? 'memory';
  const seq = raw?.info?.streamSequence ?? raw?.seq ?? Math.random();
  return `${stream}:${seq}`;
}

function storedAtOf(raw: RawDelivery | undefined): number {
  const ns = raw?.info?.timestampNanos;
  // ms with µs precision: the order of events stored in the same millisecond is kept (µs since the epoch stay
  // exact in a double; the digits are cut as text, without a BigInt per event)
  const ms = ns && /^\d{4,}$/.test(ns) ? Number(ns.slice(0, -3)) / 1_000 : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : Date.now();
}

/** The subscriptions store, or (when it is not built in) a lookup with no subscriptions and an error in the log. */
function defaultLookupOrNone(broker: ServiceBroker, logger: Service['logger']): SubscriptionLookup {
  try {
    return defaultLookup(broker);
  } catch (err) {
    logger.error(`${(err as Error).message}; no deliveries will be made`);
    return { match: async () => [], get: async () => null, signingSecrets: async () => [], disable: async () => null };
  }
}

/** The mixin. Put it in a service named `webhooks` (`WEBHOOKS_SERVICE`), beside the subscription actions. */
export function deliveryMixin(o: DeliveryMixinOptions = {}): Partial<ServiceSchema> & { channels: Record<string, unknown> } {
  const namespace = o.namespace ?? process.env.SWITCHBOARD_NAMESPACE ?? NAMESPACE;
  const names = channelNames(namespace);
  const deliver = deliverChannel(namespace);
  const events: Array<[string, string]> = [
    [names.MESSAGE_RECEIVED, 'message.received'], [names.MESSAGE_SENT, 'message.sent'],
    [names.MESSAGE_FAILED, 'message.failed'], [names.MESSAGE_STATUS, 'message.status'],
  ];
  const resolvedProbe = resolveDeliveryOptions(o); // option errors surface when the service is defined
  // Events of one conversation are fanned out one after another on a node (the consumer hands them over in
  // stream order), so an ordered subscription's queue receives them in that order.
  const serial = new KeyedSerial();
  const channels: Record<string, unknown> = {};
  for (const [channel, eventType] of events) {
    channels[channel] = {
      group: o.fanOutGroup ?? 'webhooks-fanout',
      maxInFlight: resolvedProbe.concurrency,
      maxRetries: 100,
      retryBackoff: { initialDelayMs: 500, multiplier: 2, maxDelayMs: 60_000, jitter: 0.2 },
      async handler(this: Service, payload: { tenantId?: unknown }, raw?: RawDelivery) {
        if (typeof payload?.tenantId !== 'string') return; // not a tenant's event: nothing to deliver
        const conversation = conversationOf(payload);
        const event = { eventType, eventId: eventIdOf(raw), tenantId: payload.tenantId, data: payload, storedAt: storedAtOf(raw) };
        const rt = deliveryRuntime(this);
        // The match starts now, not when the event's turn in its conversation comes: the events queued behind one
        // another share one subscription read (shared-match.ts) instead of one read each, in turn. Only the jobs
        // are made in stream order.
        const matched = matching(rt, event);
        matched.catch(() => undefined); // awaited in its turn; a failure is handled there
        await serial.run(conversation === undefined ? undefined : `${payload.tenantId}\0${conversation}`, () => fanOut(rt, event, matched));
      },
    };
  }
  channels[deliver] = {
    group: o.deliverGroup ?? 'webhooks-deliver',
    // twice the HTTP slots: while `concurrency` attempts run, the next jobs are read and wait for a slot
    maxInFlight: 2 * resolvedProbe.concurrency,
    // every scheduled wait is a redelivery: room for the schedule, interruptions and record-write retries
    maxRetries: 1_000,
    ackWaitMs: o.jobAckWaitMs ?? Math.max(30_000, 2 * resolvedProbe.attemptDeadlineMs),
    retryBackoff: { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 60_000, jitter: 0.2 },
    async handler(this: Service, job: DeliveryJob, raw?: RawDelivery) {
      const rt = deliveryRuntime(this);
      const settle = await processJob(rt, job);
      if (settle.kind === 'ack') return;
      if (raw && typeof raw.nak === 'function') {
        raw.nak(settle.ms); // JetStream keeps the job and brings it back after the wait, whichever node is up then
      } else {
        // in-memory channels (no NATS): nothing survives a restart anyway
        const t = setTimeout(() => { void rt.publishJob(job, `whjob:${job.deliveryId}:t${Date.now()}`).catch(() => undefined); }, settle.ms);
        t.unref();
      }
    },
  };

  return {
    channels,
    actions: deliveryActions(deliveryRuntime),
    created(this: Service) {
      const broker = this.broker;
      const options = resolveDeliveryOptions(o, o.allowPrivateNetworks ?? brokerRuntime(broker).allowPrivateNetworks);
      const rt: DeliveryRuntime = {
        // the fan-out's match reads shared per turn (shared-match.ts)
        lookup: sharedMatches(o.lookup ? o.lookup(broker) : defaultLookupOrNone(broker, this.logger)),
        history: o.history ? o.history(broker) : createHistoryStore(broker, { retentionMs: o.historyRetentionMs }),
        options,
        publishJob: async (job, msgId) => { await broker.sendToChannel(deliver, job, { msgID: msgId }); },
        logger: this.logger,
        onAttempt: (outcome, lagMs) => recordDeliveryAttempt(broker, outcome, lagMs),
        attemptSlots: new Slots(options.concurrency),
      };
      (this as WithRuntime)[RUNTIME] = rt;
    },
    async started(this: Service) {
      // the deliver stream exists before the first job is published (the worker's subscription also makes it),
      // and so does the one `disable` (410, failing) publishes on
      const adapter = (this.broker as unknown as { channelAdapter?: { ensureStream?: (c: string) => Promise<unknown> } }).channelAdapter;
      await adapter?.ensureStream?.(deliver);
      await adapter?.ensureStream?.(subscriptionDisabledChannel(namespace));
    },
    async stopped(this: Service) {
      await (this as WithRuntime)[RUNTIME]?.history.close();
    },
  };
}
