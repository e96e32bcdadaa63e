/** Step: announce a send's outcome on `message.sent` / `message.failed`, awaiting the PubAck; what cannot be stored now goes to the outbox. */
import { publishEvent } from '../events';
import type { SendPipeline } from './pipeline';

/** Publishes `payload` on `channelName` with `msgID`. Never rejects: an event not stored now is retried from the outbox (and counted). */
export async function announce(p: SendPipeline, channelName: string, payload: unknown, msgID: string): Promise<void> {
  if (!(await publishEvent(p.publish, p.outbox, p.logger, channelName, payload, msgID, p.options.eventPublishAttempts))) p.counters.eventsDeferred++;
}
