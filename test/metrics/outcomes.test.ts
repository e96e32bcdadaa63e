/** The outcome labels of switchboard_webhooks_total and switchboard_sends_total, from real Switchboard errors and answers. */
import { ConflictError, NotFoundError, PayloadTooLargeError, PublishError, RetryExhaustedError, SignatureError, UnavailableError } from '../../src/errors';
import { attemptsOf, sendErrorOutcome, sendResultOutcome, webhookErrorOutcome, webhookResultOutcome } from '../../src/metrics/outcomes';

describe('metric outcomes', () => {
  it('labels webhook answers', () => {
    expect(webhookResultOutcome({ success: true, messages: 2, eventId: 'e' })).toBe('stored');
    expect(webhookResultOutcome({ success: true, duplicate: true, messages: 0, eventId: 'e' })).toBe('duplicate');
    expect(webhookResultOutcome({ challenge: 'abc' })).toBe('challenge');
  });

  it('labels webhook errors: 4xx rejected with their type, 5xx unavailable', () => {
    expect(webhookErrorOutcome(new SignatureError('bad'))).toBe('rejected:invalid_signature');
    expect(webhookErrorOutcome(new NotFoundError('no channel'))).toBe('rejected:not_found');
    expect(webhookErrorOutcome(new PayloadTooLargeError('big'))).toBe('rejected:payload_too_large');
    expect(webhookErrorOutcome(new ConflictError('in flight'))).toBe('rejected:conflict');
    expect(webhookErrorOutcome(new PublishError('no ack'))).toBe('unavailable');
    expect(webhookErrorOutcome(new UnavailableError('redis down'))).toBe('unavailable');
    expect(webhookErrorOutcome(new Error('plain'))).toBe('unavailable');
  });

  it('labels sends and counts their attempts', () => {
    expect(sendResultOutcome({ duplicate: false, attempts: 2 })).toBe('sent');
    expect(sendResultOutcome({ duplicate: true, attempts: 1 })).toBe('duplicate');
    const exhausted = new RetryExhaustedError('gave up', { attempts: 4 });
    expect(sendErrorOutcome(exhausted)).toBe('failed:retry_exhausted');
    expect(attemptsOf(exhausted)).toBe(4);
    expect(attemptsOf({ attempts: 3 })).toBe(3);
    expect(attemptsOf(new Error('x'))).toBe(1);
  });
});
