/**
 * The send, as one composer over its steps: channel → claim the idempotency key (with the first token)
 * → rate limit → deliver (transform, sendMessage with retries) → outcome → announce it and end the claim.
 * The claim and the announce/end of concurrent sends each wait for one shared event-loop turn (`send/shared-turn.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { TokenBucket, TokenBucketResult } from '../../store';
import type { IntegrationConfig } from '../../types';
import { resolveOwnedChannel } from '../channel/resolve';
import { idempotencyStoreKey } from './idempotency';
import { announce } from './send/announce';
import { claimKey, replay } from './send/claim-key';
import { deliver, refused, type Delivery } from './send/deliver';
import { endClaim, type ClaimEnd } from './send/end-claim';
import { countOutcome, failedOutcome, sentOutcome } from './send/outcome';
import type { SendOutcome, SendPipeline, SendRequest } from './send/pipeline';
import { sharedTurn } from './send/shared-turn';
import { storeOutage } from './send/store-outage';
import { sendBuckets, takeToken } from './send/take-token';

export type { SendAttempt, SendOutcome, SendPipeline, SendRequest } from './send/pipeline';

/** Step 3–4: the rate limit (`first`: a take already made), then the delivery; a refusal is a delivery that never tried. */
function limitThenDeliver(p: SendPipeline, channel: IntegrationConfig, request: SendRequest, sendKey: string, buckets: TokenBucket[], first?: TokenBucketResult): Promise<Delivery> {
  return takeToken(p, buckets, first).then(() => deliver(p, channel, request.message, sendKey), refused);
}

/** Steps 5–6: count and scrub the outcome, announce it and end the claim side by side; answer or throw. */
async function finish(
  p: SendPipeline, channel: IntegrationConfig, request: SendRequest, sendKey: string, delivery: Delivery, end: (how: ClaimEnd) => Promise<void>,
): Promise<SendOutcome> {
  countOutcome(p.counters, delivery);
  await sharedTurn();
  const msgID = (what: string) => `${p.integration}:${channel.id}:${what}:${sendKey}`;
  if (delivery.ok) {
    const { event, answer } = sentOutcome(p.integration, channel, request, delivery);
    await Promise.all([announce(p, p.channels.sent, event, msgID('sent')), end({ status: 'sent', ...answer })]);
    return { ...answerBase(p, channel, request), ...answer, duplicate: false };
  }
  const failed = failedOutcome(p.integration, channel, request, delivery);
  await Promise.all([announce(p, p.channels.failed, failed.event, msgID('failed')), end(failed.end)]);
  throw failed.error;
}

function answerBase(p: SendPipeline, channel: IntegrationConfig, request: SendRequest) {
  return { integration: p.integration, channelId: channel.id, ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}) };
}

const noClaim = async () => undefined;

/**
 * Sends one message; see `SendOutcome`. With an idempotency key, the key is claimed first and the
 * rate-limit token taken in the same store round trip, only once the key is ours (duplicates waiting on
 * the key never spend one). The answer waits for the `message.sent` PubAck and the claim's end.
 */
export async function sendMessage(p: SendPipeline, request: SendRequest): Promise<SendOutcome> {
  const channel = await resolveOwnedChannel((id) => p.lookupChannel(id), request.channelId, p.platform, request.tenantId);
  const buckets = sendBuckets(p, channel, request.message?.conversationId);
  const key = request.idempotencyKey;
  await sharedTurn();
  if (key === undefined) {
    const sendKey = randomUUID();
    return finish(p, channel, request, sendKey, await limitThenDeliver(p, channel, request, sendKey, buckets), noClaim);
  }
  const storeKey = idempotencyStoreKey(p.integration, channel.tenantId, channel.id, key);
  const { idempotencyTtlMs: ttlMs, idempotencyClaimTtlMs: claimTtlMs, idempotencyWaitMs: waitMs } = p.options;
  const claim = await claimKey(p.store, storeKey, key, { ttlMs, claimTtlMs, waitMs }, buckets).catch(storeOutage('idempotency'));
  if (claim.status === 'duplicate') {
    const first = replay(claim.outcome, key);
    p.counters.duplicates++;
    return { ...answerBase(p, channel, request), ...first, duplicate: true };
  }
  const delivery = await limitThenDeliver(p, channel, request, key, buckets, claim.token);
  return finish(p, channel, request, key, delivery, (how) => endClaim(p.store, storeKey, claim.pending, ttlMs, how));
}
