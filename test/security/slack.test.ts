/** slackSignature(): v0 over `v0:timestamp:body`, the documented example, the replay window. */
import { ConfigError } from '../../src/errors';
import { slackSignature } from '../../src/security';
import { at, hmacHex, SLACK_VECTOR as V } from './vectors';

const scheme = slackSignature();
const headers = { 'x-slack-signature': V.signature, 'x-slack-request-timestamp': V.timestamp };

describe('slackSignature', () => {
  it('verifies Slack\'s documented example and returns its timestamp', () => {
    expect(scheme.name).toBe('slack');
    expect(scheme.toleranceSeconds).toBe(300);
    expect(scheme.verify({ rawBody: Buffer.from(V.body), headers, secrets: [V.secret], now: at(V.timestamp) })).toEqual({ valid: true, timestamp: Number(V.timestamp) });
  });

  it('signs the documented example to the published signature', () => {
    expect(scheme.sign({ rawBody: V.body, secret: V.secret, timestamp: Number(V.timestamp) })).toEqual(headers);
  });

  it('signs exactly v0:<timestamp>:<body>', () => {
    const body = '{"type":"event_callback","event":{"text":"😀"}}';
    const expected = `v0=${hmacHex('sha256', 'shh', Buffer.from(`v0:1700000000:${body}`))}`;
    expect(scheme.sign({ rawBody: body, secret: 'shh', timestamp: 1_700_000_000 })['x-slack-signature']).toBe(expected);
  });

  it('reads the headers in any case', () => {
    const mixed = { 'X-Slack-Signature': V.signature, 'X-Slack-Request-Timestamp': V.timestamp };
    expect(scheme.verify({ rawBody: Buffer.from(V.body), headers: mixed, secrets: [V.secret], now: at(V.timestamp) }).valid).toBe(true);
  });

  it('rejects replays outside five minutes, both ways', () => {
    const ts = Number(V.timestamp);
    const base = { rawBody: Buffer.from(V.body), headers, secrets: [V.secret] };
    expect(scheme.verify({ ...base, now: at(ts + 301) })).toMatchObject({ valid: false, reason: 'stale' });
    expect(scheme.verify({ ...base, now: at(ts - 301) })).toMatchObject({ valid: false, reason: 'future' });
    expect(scheme.verify({ ...base, now: at(ts + 299) }).valid).toBe(true);
  });

  it('rejects the body signed with another timestamp', () => {
    const moved = { ...headers, 'x-slack-request-timestamp': String(Number(V.timestamp) + 1) };
    expect(scheme.verify({ rawBody: Buffer.from(V.body), headers: moved, secrets: [V.secret], now: at(V.timestamp) })).toMatchObject({ reason: 'mismatch' });
  });

  it('honours toleranceSeconds and rejects a bad one', () => {
    const strict = slackSignature({ toleranceSeconds: 30 });
    expect(strict.toleranceSeconds).toBe(30);
    expect(strict.verify({ rawBody: Buffer.from(V.body), headers, secrets: [V.secret], now: at(Number(V.timestamp) + 31) })).toMatchObject({ reason: 'stale' });
    expect(() => slackSignature({ toleranceSeconds: Infinity })).toThrow(ConfigError);
  });
});
