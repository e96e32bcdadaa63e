/** Retry-After in seconds and HTTP-date forms; malformed values ignored. */
import { parseRetryAfter, retryAfterFromError } from '../../src/retry';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['1', 1000], ['0', 0], ['120', 120_000], [' 2 ', 2000], ['1.5', 1500],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Thursday, 01-Jan-26 00:00:07 GMT', 7000],
    ['Thu Jan  1 00:00:09 2026', 9000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
  ])('%j → %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, null, '', '-1', 'abc', '1e3', '0x10', 'soon', '2026-01-01T00:00:05Z', '9'.repeat(80)])('%j → undefined', (value) => {
    expect(parseRetryAfter(value as string | undefined, now)).toBeUndefined();
  });
});

describe('retryAfterFromError', () => {
  it('reads data.retryAfterMs, then a retry-after header from a Headers object or a plain record', () => {
    expect(retryAfterFromError({ data: { retryAfterMs: 250 } }, now)).toBe(250);
    expect(retryAfterFromError({ response: { headers: new Headers({ 'Retry-After': '3' }) } }, now)).toBe(3000);
    expect(retryAfterFromError({ headers: { 'Retry-After': '4' } }, now)).toBe(4000);
    expect(retryAfterFromError(new Error('x'), now)).toBeUndefined();
  });
});
