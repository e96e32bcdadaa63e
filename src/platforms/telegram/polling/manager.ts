/**
 * The polling side of a Telegram service: finds its channels in polling mode (`settings.mode: 'polling'`),
 * runs one `TelegramPoller` per bot on every node (the lease lets one of them poll), looks again every
 * `rescanMs` and when the registry announces a change, and stops them all with the service.
 */
import type { Context, Service } from 'moleculer';
import { inboundRuntimeOf } from '../../../integration/runtime';
import { channelRegistry } from '../../../registry';
import { acquireStore, releaseStore, runtimeOf, type KeyValueStore } from '../../../store';
import { botIdOf, callBotApi } from '../api';
import type { TelegramChannel, TelegramUpdate } from '../types';
import { pollLeaseKey } from './lease';
import { pollOffsetKey } from './offset';
import { TelegramPoller, type ResolvedPollingOptions } from './poller';
import { storeUpdate, type StoredUpdate } from './store-update';

/** Telegram's long-poll wait: 25 s (Telegram allows up to 50). */
export const DEFAULT_POLL_TIMEOUT_SECONDS = 25;
/** Updates asked for per poll: 100 (Telegram's maximum). */
export const DEFAULT_POLL_LIMIT = 100;
/** A poll lease lives 15 s unless renewed (every 5 s); a dead holder is replaced within that. */
export const DEFAULT_POLL_LEASE_TTL_MS = 15_000;
/** A node without the lease tries to take it every 5 s. */
export const DEFAULT_POLL_LEASE_RETRY_MS = 5_000;
/** After a failed poll: 1 s, doubling up to 30 s. */
export const DEFAULT_POLL_ERROR_BACKOFF_MS = 1_000;
export const DEFAULT_POLL_MAX_ERROR_BACKOFF_MS = 30_000;
/** Channels in polling mode are looked for again every 30 s (and at once on a registry change). */
export const DEFAULT_POLL_RESCAN_MS = 30_000;
/** The update kinds asked for (also what `setWebhook` registers): every kind `normalize` reads. */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'callback_query', 'message_reaction'];

/** How polling behaves. Every field is optional. */
export interface TelegramPollingOptions {
  /** Long-poll wait of one `getUpdates`, in seconds. Default {@link DEFAULT_POLL_TIMEOUT_SECONDS}. */
  timeoutSeconds?: number;
  /** Updates per `getUpdates` (1-100). Default {@link DEFAULT_POLL_LIMIT}. */
  limit?: number;
  /** Lease lifetime, in ms. Default {@link DEFAULT_POLL_LEASE_TTL_MS}. */
  leaseTtlMs?: number;
  /** How often a node without the lease tries to take it, in ms. Default {@link DEFAULT_POLL_LEASE_RETRY_MS}. */
  leaseRetryMs?: number;
  /** First wait after a failed poll, in ms (doubling). Default {@link DEFAULT_POLL_ERROR_BACKOFF_MS}. */
  errorBackoffMs?: number;
  /** Longest wait after failed polls, in ms. Default {@link DEFAULT_POLL_MAX_ERROR_BACKOFF_MS}. */
  maxErrorBackoffMs?: number;
  /** How often the channels in polling mode are looked for again, in ms. Default {@link DEFAULT_POLL_RESCAN_MS}. */
  rescanMs?: number;
  /** Update kinds asked for. Default {@link TELEGRAM_ALLOWED_UPDATES}. */
  allowedUpdates?: string[];
  /** The ids of the channels to poll. Default: the registry's active `telegram` channels with `settings.mode: 'polling'`. */
  channelIds?: (this: Service) => string[] | Promise<string[]>;
  /** Turn polling off on this node (it then never takes a lease). Default true. */
  enabled?: boolean;
}

export function resolvePollingOptions(o: TelegramPollingOptions = {}): ResolvedPollingOptions & { rescanMs: number } {
  return {
    timeoutSeconds: o.timeoutSeconds ?? DEFAULT_POLL_TIMEOUT_SECONDS,
    limit: o.limit ?? DEFAULT_POLL_LIMIT,
    leaseTtlMs: o.leaseTtlMs ?? DEFAULT_POLL_LEASE_TTL_MS,
    leaseRetryMs: o.leaseRetryMs ?? DEFAULT_POLL_LEASE_RETRY_MS,
    errorBackoffMs: o.errorBackoffMs ?? DEFAULT_POLL_ERROR_BACKOFF_MS,
    maxErrorBackoffMs: o.maxErrorBackoffMs ?? DEFAULT_POLL_MAX_ERROR_BACKOFF_MS,
    rescanMs: o.rescanMs ?? DEFAULT_POLL_RESCAN_MS,
    allowedUpdates: o.allowedUpdates ?? TELEGRAM_ALLOWED_UPDATES,
  };
}

const isPolling = (c: { platform: string; status: string; settings: Record<string, unknown> }) =>
  c.platform === 'telegram' && c.status === 'active' && c.settings?.mode === 'polling';

export class PollingManager {
  private readonly pollers = new Map<string, { poller: TelegramPoller; channelId: string }>();
  private readonly options: ReturnType<typeof resolvePollingOptions>;
  private readonly store: KeyValueStore;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly service: Service,
    private readonly settings: TelegramPollingOptions,
    private readonly afterStored?: (channel: TelegramChannel, update: TelegramUpdate, stored: StoredUpdate) => void,
  ) {
    this.options = resolvePollingOptions(settings);
    this.store = acquireStore(service.broker);
  }

  /** The pollers by bot, for status and tests. */
  get running(): Array<{ botKey: string; channelId: string; holding: boolean; stored: number }> {
    return [...this.pollers].map(([botKey, { poller, channelId }]) => ({ botKey, channelId, holding: poller.lease.isHeld, stored: poller.stored }));
  }

  start(): void {
    this.rescan();
    this.timer = setInterval(() => this.rescan(), this.options.rescanMs);
    this.timer.unref?.();
  }

  /** Looks for polling channels now (coalesced with a scan in flight). */
  rescan(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.scanning ??= this.scan().catch((err: unknown) => this.service.logger.warn(`telegram polling: channel scan failed: ${(err as Error).message}`))
      .finally(() => { this.scanning = undefined; });
    return this.scanning;
  }

  private ctx(): Context {
    return this.service.broker.ContextFactory.create(this.service.broker, null as never, {}, {}) as Context;
  }

  private async channelIds(): Promise<string[]> {
    if (this.settings.channelIds) return this.settings.channelIds.call(this.service);
    return (await channelRegistry(this.service.broker).list()).filter(isPolling).map((c) => c.id);
  }

  private async scan(): Promise<void> {
    const pipeline = inboundRuntimeOf(this.service).pipeline(this.ctx());
    const wanted = new Map<string, string>();
    for (const id of await this.channelIds()) {
      const channel = await pipeline.lookupChannel(id) as TelegramChannel | null;
      if (!channel || !isPolling(channel)) continue;
      let botId: string;
      try { botId = botIdOf(channel); } catch (err) { this.service.logger.warn((err as Error).message); continue; }
      if (!wanted.has(botId)) wanted.set(botId, id);
    }
    for (const [botId, entry] of this.pollers) {
      if (wanted.get(botId) !== entry.channelId) {
        this.pollers.delete(botId);
        await entry.poller.close();
      }
    }
    if (this.closed) return;
    for (const [botId, channelId] of wanted) if (!this.pollers.has(botId)) this.startPoller(botId, channelId);
  }

  private startPoller(botId: string, channelId: string): void {
    const service = this.service;
    const allowPrivateNetworks = runtimeOf(service.broker).allowPrivateNetworks;
    const pipeline = () => inboundRuntimeOf(service).pipeline(this.ctx());
    const poller = new TelegramPoller({
      store: this.store,
      leaseKey: pollLeaseKey(botId),
      offsetKey: pollOffsetKey(botId),
      holder: service.broker.nodeID,
      channel: async () => {
        const channel = await pipeline().lookupChannel(channelId) as TelegramChannel | null;
        return channel && isPolling(channel) ? channel : null;
      },
      getUpdates: (channel, params, signal) => callBotApi<TelegramUpdate[]>(channel, 'getUpdates', params, { signal, allowPrivateNetworks }),
      deleteWebhook: async (channel, signal) => { await callBotApi(channel, 'deleteWebhook', { drop_pending_updates: false }, { signal, allowPrivateNetworks }); },
      storeUpdate: (channel, update) => storeUpdate(pipeline(), channel, update, Date.now()),
      afterStored: this.afterStored,
      log: service.logger,
      options: this.options,
    });
    this.pollers.set(botId, { poller, channelId });
    poller.start();
  }

  /** Stops every poller (leases released) and releases the store. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.scanning;
    await Promise.all([...this.pollers.values()].map((p) => p.poller.close()));
    this.pollers.clear();
    await releaseStore(this.service.broker);
  }
}
