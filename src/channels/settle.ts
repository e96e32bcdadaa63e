/**
 * The settle policy, once for both adapters (as @moleculer/channels' base adapter holds it for
 * its transports): run the handler, then ack; or nak with a backoff delay while `maxRetries` is not
 * used up; or give up — dead letter, and ack only once the dead letter is stored. Each adapter
 * supplies the delivery (ack, nak), the dead-letter publish and where failures are counted.
 */
import type { MoleculerLogger } from '../types/moleculer';
import { retryDelay } from './backoff';
import type { Chan } from './channel';
import { buildDeadLetter, sendDeadLetter, type DeadLetterTransport } from './dead-letter';
import type { FailureCounts, FailureRecord, MessageRef } from './failure-counts';
import { DEAD_LETTER_HEADERS, errorHeaders } from './headers';
import type { ResolvedConsumerOptions } from './options';

/** A delivered message as the policy sees it. Each adapter wraps its own delivery in one. */
export interface Settleable {
  readonly stream: string;
  readonly seq: number;
  /** 1 on the first delivery to the group, 2 on the first redelivery, ... */
  readonly deliveryCount: number;
  /** When the message was stored (a stable string): tells a message from an older one with the same seq. */
  readonly storedAt: string;
  readonly data: Uint8Array;
  /** The original message's headers (first value of each). */
  originalHeaders(): Iterable<readonly [string, string]>;
  ack(): void;
  /** Hand the message back, to be redelivered after `delayMs`. */
  nak(delayMs: number): void;
}

/** What the policy needs from its adapter. */
export interface SettleDeps {
  counts: FailureCounts;
  deadLetters: DeadLetterTransport;
  deserialize(data: Uint8Array): unknown;
  /** The adapter's logger (read at each use: it is set when the broker initializes the adapter). */
  logger(): MoleculerLogger | undefined;
  metric(name: string, chan: Chan): void;
  random: () => number;
  now: () => number;
}

/** Why a message is given up: an error in hand, or one recorded by an earlier delivery (maybe on another node). */
type Cause = { error: unknown } | { headers: Record<string, string> };

const NO_FAILURES: FailureRecord = Object.freeze({ count: 0 });

function causeHeaders(cause: Cause, now: number): Record<string, string> {
  return 'headers' in cause ? cause.headers : safeErrorHeaders(cause.error, now);
}

/** Error headers of a failure for the count; a value that will not encode is recorded by name only. */
function safeErrorHeaders(err: unknown, now: number): Record<string, string> {
  try {
    return errorHeaders(err, now);
  } catch {
    return { [DEAD_LETTER_HEADERS.ERROR_NAME]: 'Error', [DEAD_LETTER_HEADERS.ERROR_MESSAGE]: 'the error could not be encoded as headers', [DEAD_LETTER_HEADERS.ERROR_TIMESTAMP]: String(now) };
  }
}

/**
 * The retry / give-up / dead-letter decision. `maxRetries` counts handler failures only (a
 * redelivery after a crash, a stop or a lost ack runs the handler again without counting), across
 * every member of the group when the failure counts are shared.
 */
export class Settler {
  constructor(private readonly deps: SettleDeps) {}

  /** Runs the handler for one delivery and settles it: ack, nak with a delay, or dead letter. Never rejects. */
  async process(chan: Chan, cfg: ResolvedConsumerOptions, d: Settleable, raw: unknown): Promise<void> {
    const { counts, now } = this.deps;
    const ref: MessageRef = { stream: d.stream, group: chan.group, seq: d.seq, storedAt: d.storedAt };
    let payload: unknown;
    try {
      payload = this.deps.deserialize(d.data);
    } catch (error) {
      // cannot be parsed: retrying will not help
      return this.giveUp(chan, cfg, d, ref, { error });
    }
    // a first delivery has no failures: the common path reads nothing
    const prior = d.deliveryCount > 1 ? await counts.get(ref) : NO_FAILURES;
    if (prior.count >= 1 + cfg.maxRetries) {
      // handler attempts used up (here or on another member); an earlier dead-letter publish failed: try it again
      return this.giveUp(chan, cfg, d, ref, prior.error ? { headers: prior.error } : { error: new Error(`failed ${prior.count} times`) });
    }
    if (d.deliveryCount >= cfg.maxDeliver) {
      // The last delivery the server allows is kept for the dead letter: a message that kills the
      // process (or never gets acked) would otherwise stay in the stream unacked for good.
      return this.giveUp(chan, cfg, d, ref, prior.error ? { headers: prior.error }
        : { error: new Error(`delivered ${d.deliveryCount} times without an ack (crash loop?); max_deliver ${cfg.maxDeliver} reached`) });
    }
    try {
      if (cfg.filter && !cfg.filter(payload)) {
        d.ack(); // not for this consumer: skipped, never retried
        return;
      }
      await chan.handler(payload, raw);
      d.ack();
      if (prior.count > 0) await counts.clear(ref);
    } catch (error) {
      this.deps.metric('moleculer.channels.messages.errors.total', chan);
      const failures = await counts.add(ref, safeErrorHeaders(error, now()));
      if (failures <= cfg.maxRetries) {
        this.deps.metric('moleculer.channels.messages.retries.total', chan);
        const delay = retryDelay(failures, cfg.retryBackoff, this.deps.random);
        this.deps.logger()?.debug(`channels: "${chan.name}" seq ${d.seq} failed (failure ${failures}, delivery ${d.deliveryCount}); retry in ${delay} ms`);
        d.nak(delay);
      } else {
        await this.giveUp(chan, cfg, d, ref, { error });
      }
    }
  }

  /** Dead-letter then ack; if the dead-letter publish fails, nak so the message comes back (to any member) for another try. */
  private async giveUp(chan: Chan, cfg: ResolvedConsumerOptions, d: Settleable, ref: MessageRef, cause: Cause): Promise<void> {
    const { counts, now } = this.deps;
    const log = this.deps.logger();
    const where = `channels: "${chan.name}" seq ${d.seq}`;
    if (!cfg.deadLettering.enabled) {
      log?.error(`${where} failed after ${cfg.maxRetries} retries; dead lettering is off, message dropped:`, 'error' in cause ? cause.error : cause.headers);
      d.ack();
      await counts.clear(ref);
      return;
    }
    const dl = buildDeadLetter(
      { channel: chan.name, group: chan.group, stream: d.stream, seq: d.seq, deliveryCount: d.deliveryCount, headers: d.originalHeaders(), data: d.data },
      () => causeHeaders(cause, now()),
      now(),
      // the error (or an original header) cannot be turned into headers: a failed publish would retry this forever
      (why) => log?.warn(`${where}: dead-letter headers could not be built; sending the basic ones:`, (why as Error)?.message),
    );
    try {
      await sendDeadLetter(this.deps.deadLetters, cfg.deadLettering.queueName, dl, (m) => log?.warn(m), where);
      this.deps.metric('moleculer.channels.messages.deadLettering.total', chan);
      log?.warn(`${where} moved to "${cfg.deadLettering.queueName}" after ${d.deliveryCount} deliveries`);
      d.ack();
      await counts.clear(ref);
    } catch (pubErr) {
      // the handler is not run again for this message (on any member): only the dead letter is retried
      await counts.exhaust(ref, 1 + cfg.maxRetries, causeHeaders(cause, now()));
      if (d.deliveryCount >= cfg.maxDeliver) {
        log?.error(`${where}: dead-letter publish failed on the last allowed delivery (max_deliver ${cfg.maxDeliver}); the message stays in the stream unacked`, pubErr);
      } else {
        log?.warn(`${where}: dead-letter publish failed; not acked, it will come back`, (pubErr as Error)?.message);
      }
      d.nak(retryDelay(Math.max(1, d.deliveryCount - cfg.maxRetries), cfg.retryBackoff, this.deps.random));
    }
  }
}
