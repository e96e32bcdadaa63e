/** Shared helpers for the channels integration tests: brokers on Switchboard's adapter or the stock one. */
import { ServiceBroker, type ServiceSchema } from 'moleculer';
import { Adapters, Middleware } from '@moleculer/channels';
import { connect, type NatsConnection, type JetStreamManager } from 'nats';
import { createChannelsMiddleware, type ChannelsMiddlewareOptions } from '../../src/channels';

export type AdapterKind = 'switchboard' | 'stock';
export const KINDS: AdapterKind[] = ['switchboard', 'stock'];

let counter = 0;
/** A fresh namespace per test so streams never collide. */
export function freshNamespace(tag: string): string {
  counter += 1;
  return `${tag}${process.pid}x${counter}`;
}

/** Fast settings for tests: short ack wait, short retry delays, quick reconnects. */
export const FAST: ChannelsMiddlewareOptions = {
  ackWaitMs: 1_000,
  pullHeartbeatMs: 1_000,
  pullExpiresMs: 5_000,
  publishTimeoutMs: 2_000,
  retryBackoff: { initialDelayMs: 100, multiplier: 2, maxDelayMs: 2_000, jitter: 0 },
  drainTimeoutMs: 2_000,
};

export interface BrokerOpts {
  kind: AdapterKind;
  url: string;
  namespace: string;
  services?: ServiceSchema[];
  /** Switchboard middleware options (merged over FAST). */
  options?: ChannelsMiddlewareOptions;
  /** Stock adapter options (NatsAdapter constructor). */
  stockOptions?: Record<string, unknown>;
  nodeID?: string;
}

export function makeBroker(o: BrokerOpts): ServiceBroker {
  const mw = o.kind === 'switchboard'
    ? createChannelsMiddleware({ ...FAST, ...o.options, namespace: o.namespace, nats: { url: o.url, connectionOptions: { reconnectTimeWait: 100, ...o.options?.nats as object } } })
    : Middleware({ adapter: new Adapters.NATS({ ...o.stockOptions, nats: { url: o.url, connectionOptions: { reconnectTimeWait: 100 }, ...(o.stockOptions?.nats as object) } }) } as never);
  const broker = new ServiceBroker({
    nodeID: o.nodeID ?? `${o.kind}-${o.namespace}-${Math.random().toString(36).slice(2, 7)}`,
    logger: process.env.CHANNELS_TEST_LOG ? { type: 'Console', options: { level: process.env.CHANNELS_TEST_LOG } } : false,
    middlewares: [mw as never],
  });
  for (const s of o.services ?? []) broker.createService(s);
  return broker;
}

/** Stock channel options giving it the same ack wait as FAST (the stock adapter takes it per channel, in nanoseconds). */
export function stockChannelNats(ackWaitMs = FAST.ackWaitMs!): Record<string, unknown> {
  return { nats: { consumerOptions: { config: { ack_wait: ackWaitMs * 1_000_000 } } } };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A separate management connection for inspecting streams and consumers. */
export async function manager(url: string): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  return { nc, jsm: await nc.jetstreamManager() };
}

/**
 * `it` for our adapter; `it.failing` for the stock one (the test documents the stock defect).
 * `CHANNELS_SHOW_STOCK=1` runs the stock variants as plain tests, to read why each fails.
 */
export function itFor(kind: AdapterKind): jest.It {
  return kind === 'stock' && !process.env.CHANNELS_SHOW_STOCK ? (it.failing as unknown as jest.It) : it;
}

/** Stored message headers as a plain record. */
export function headersOf(h: Iterable<[string, string[]]> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h) for (const [k, v] of h) out[k] = v[0] ?? '';
  return out;
}
