/**
 * Publishing to JetStream: resolves with the PubAck; every failure becomes an error that says
 * whether the message may have been stored (`PublishError.data.maybeStored`), or why it never
 * can be (`PayloadTooLargeError`, `BadRequestError`). A stream this adapter provisioned and found
 * deleted is re-created and the publish sent once more.
 */
import { headers as natsHeaders, type JetStreamClient, type MsgHdrs, type NatsConnection } from 'nats';
import type { MoleculerLogger, MoleculerSerializer } from '../../types/moleculer';
import { BadRequestError, PayloadTooLargeError, PublishError } from '../../errors';
import { DEFAULT_PUBLISH_TIMEOUT_MS, type ChannelPublishOptions, type PublishAck } from '../options';
import { notPublishedError, type ReadyGate } from '../ready-gate';
import type { Provisioner } from './provision';
import { ackInboxOf } from './ack-inbox';

/** JetStream's de-duplication header (the `msgID` of `js.publish`). */
const MSG_ID_HEADER = 'Nats-Msg-Id';

/** What the publisher needs from the adapter. */
export interface PublishDeps {
  /** The JetStream client and connection; null when not connected. */
  handles(): { nc: NatsConnection; js: JetStreamClient } | null;
  stopping(): boolean;
  gate: ReadyGate;
  serializer(): MoleculerSerializer;
  provisioner: Provisioner;
  publishTimeoutMs?: number;
  logger(): MoleculerLogger | undefined;
}

/** Publish errors that mean "no stream stores this subject" (503 no responders). */
const NO_STREAM = new WeakSet<Error>();

export class Publisher {
  /** Publishes awaiting their PubAck (a stop waits for them). */
  readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: PublishDeps) {}

  /**
   * Publishes and resolves with the PubAck. Rejects with `PublishError` when the message was not
   * stored (no stream for the subject, the adapter is stopping; `data.maybeStored: false`) or not
   * confirmed (timeout, connection lost: `data.maybeStored: true`, retry with the same msgID);
   * with `PayloadTooLargeError` / `BadRequestError` when it can never be published. `internal`
   * publishes (dead letters) still go out while the adapter is stopping.
   */
  async publish(channelName: string, payload: unknown, opts: ChannelPublishOptions = {}, internal = false): Promise<PublishAck> {
    try {
      return await this.publishOnce(channelName, payload, opts, internal);
    } catch (err) {
      // 503 (no stream stores the subject) for a stream this adapter provisioned: it was deleted at
      // runtime. Nothing was stored; re-create it and publish once more.
      const prov = this.deps.provisioner;
      if (!(err instanceof PublishError) || !NO_STREAM.has(err) || !prov.has(channelName)) throw err;
      prov.forget(channelName);
      try {
        await prov.ensureStream(channelName);
      } catch {
        throw err;
      }
      this.deps.logger()?.warn(`channels: stream of "${channelName}" was missing on the server; re-created`);
      return this.publishOnce(channelName, payload, opts, internal);
    }
  }

  private timeout(opts: ChannelPublishOptions): number {
    return opts.timeoutMs ?? this.deps.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  }

  private async publishOnce(channelName: string, payload: unknown, opts: ChannelPublishOptions, internal: boolean): Promise<PublishAck> {
    if (!this.deps.handles() && !this.deps.stopping()) {
      // published before the middleware connected (e.g. from a service's started()): wait for it
      await this.deps.gate.wait(this.timeout(opts));
    }
    const h = this.deps.handles();
    if ((this.deps.stopping() && !internal) || !h) throw notPublishedError(channelName, opts.msgID, this.deps.stopping());
    let data: Uint8Array;
    try {
      data = opts.raw ? (payload as Uint8Array) : this.deps.serializer().serialize(payload as Record<string, unknown>, 'channel');
    } catch (err) {
      // permanent: the same payload will never serialize, retrying cannot help (400, not retryable)
      throw new BadRequestError(
        `channels: "${channelName}" not published: payload cannot be serialized (${(err as Error)?.message ?? String(err)})`,
        { channel: channelName, msgID: opts.msgID }, err,
      );
    }
    let hdrs: MsgHdrs | undefined;
    if (opts.headers || opts.msgID) {
      hdrs = natsHeaders();
      if (opts.headers) for (const [k, v] of Object.entries(opts.headers)) if (v !== undefined && v !== null) hdrs.set(k, String(v));
      if (opts.msgID) hdrs.set(MSG_ID_HEADER, opts.msgID);
    }
    // one shared PubAck subscription and deadline sweep per connection (see ack-inbox.ts), not js.publish
    const p = ackInboxOf(h.nc).publish(channelName, data, hdrs, this.timeout(opts));
    this.pending.add(p);
    try {
      const ack = await p;
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true };
    } catch (err) {
      throw this.failure(channelName, opts, data, err, h.nc);
    } finally {
      this.pending.delete(p);
    }
  }

  /** The error a failed publish rejects with. */
  private failure(channelName: string, opts: ChannelPublishOptions, data: Uint8Array, err: unknown, nc: NatsConnection): Error {
    const e = err as Error & { code?: string };
    if (e?.code === 'MAX_PAYLOAD_EXCEEDED') {
      // permanent: the server refuses messages this big, retrying cannot help (413, not retryable)
      const maxPayload = nc.info?.max_payload;
      return new PayloadTooLargeError(
        `channels: "${channelName}" not published: the message (${data.byteLength} bytes of payload, plus headers) is over the server's max_payload${maxPayload ? ` (${maxPayload} bytes)` : ''}`,
        { channel: channelName, msgID: opts.msgID, size: data.byteLength, maxPayload },
      );
    }
    if (e?.code === '503' || (e as { api_error?: unknown })?.api_error) {
      // the server answered: nothing was stored
      const why = e.code === '503' ? 'no stream stores this subject (or NATS has no JetStream)' : e.message;
      const pe = new PublishError(`channels: "${channelName}" was not stored: ${why}`, { channel: channelName, msgID: opts.msgID, maybeStored: false, cause: e.message }, err);
      if (e.code === '503') NO_STREAM.add(pe);
      return pe;
    }
    // No answer (timeout, connection lost while waiting): the server may have stored it and the
    // PubAck was lost. Only a retry with the same msgID is sure to store it once.
    return new PublishError(
      `channels: "${channelName}" publish not confirmed (it may have been stored): ${e?.message ?? String(err)}. ` +
        (opts.msgID ? 'Retry with the same msgID.' : 'Without a msgID, a retry may store it twice.'),
      { channel: channelName, msgID: opts.msgID, maybeStored: true, cause: e?.message },
      err,
    );
  }
}
