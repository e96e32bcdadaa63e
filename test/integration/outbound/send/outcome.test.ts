import { AmbiguousSendError, PlatformError } from '../../../../src/errors';
import { newCounters } from '../../../../src/integration/outbound/counters';
import { countOutcome, failedOutcome, sentOutcome } from '../../../../src/integration/outbound/send/outcome';
import { channel, message, TOKEN } from './helpers';

describe('sentOutcome', () => {
  it('the event and the answer, scrubbed of the channel secrets', () => {
    const { event, answer } = sentOutcome('tg', channel(), { channelId: 'c1', message, idempotencyKey: 'k' }, { messageId: `id-${TOKEN}`, metadata: { echo: TOKEN }, attempts: 2 }, 1000);
    expect(event).toEqual({
      tenantId: 't1', channelId: 'c1', integration: 'tg', messageId: 'id-[redacted]', message, attempts: 2, sentAt: 1000,
      metadata: { echo: '[redacted]' }, idempotencyKey: 'k',
    });
    expect(answer).toEqual({ messageId: 'id-[redacted]', metadata: { echo: '[redacted]' }, attempts: 2 });
  });
});

describe('failedOutcome', () => {
  it('the event, a scrubbed copy of the error with data.attempts, and a freed claim; the error given is untouched', () => {
    const error = new PlatformError(`HTTP 400 for ${TOKEN}`, { status: 400 });
    const out = failedOutcome('tg', channel(), { channelId: 'c1', message }, { error, attempts: 3 }, 1000);
    expect(out.event).toMatchObject({ retryCount: 2, failedAt: 1000, error: { name: 'PlatformError', message: 'HTTP 400 for [redacted]', code: 502, type: 'PLATFORM_ERROR' } });
    expect(out.error).not.toBe(error);
    expect(out.error).toBeInstanceOf(PlatformError);
    expect(out.error).toMatchObject({ message: 'HTTP 400 for [redacted]', data: { status: 400, attempts: 3 } });
    expect(error.message).toBe(`HTTP 400 for ${TOKEN}`);
    expect(error.data).not.toHaveProperty('attempts');
    expect(out.end).toEqual({ status: 'failed' });
  });

  it('an ambiguous failure is remembered on the key, scrubbed', () => {
    const error = new AmbiguousSendError(`timed out calling ${TOKEN}`, { attempts: 2 });
    expect(failedOutcome('tg', channel(), { channelId: 'c1', message }, { error, attempts: 2 }).end)
      .toEqual({ status: 'ambiguous', message: 'timed out calling [redacted]', attempts: 2 });
  });
});

describe('countOutcome', () => {
  it('sent, failed, ambiguous, retries', () => {
    const c = newCounters();
    countOutcome(c, { ok: true, messageId: 'm', attempts: 3 });
    countOutcome(c, { ok: false, error: new AmbiguousSendError('x', { attempts: 1 }), attempts: 1 });
    countOutcome(c, { ok: false, error: new Error('x'), attempts: 0 });
    expect(c).toMatchObject({ sent: 1, failed: 2, ambiguous: 1, retries: 2 });
  });
});
