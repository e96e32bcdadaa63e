/** checkTimestamp: digits only, at most 10, inside the window both ways. */
import fc from 'fast-check';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from '../../src/security';

const NOW = 1_700_000_000;
const nowMs = NOW * 1000;

describe('checkTimestamp', () => {
  it('accepts now and the exact edges of the default 300 s window', () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
    expect(checkTimestamp(String(NOW), { nowMs })).toEqual({ ok: true, timestamp: NOW });
    expect(checkTimestamp(String(NOW - 300), { nowMs })).toEqual({ ok: true, timestamp: NOW - 300 });
    expect(checkTimestamp(String(NOW + 300), { nowMs })).toEqual({ ok: true, timestamp: NOW + 300 });
  });

  it('reports stale and future one second outside the window', () => {
    expect(checkTimestamp(String(NOW - 301), { nowMs })).toMatchObject({ ok: false, reason: 'stale' });
    expect(checkTimestamp(String(NOW + 301), { nowMs })).toMatchObject({ ok: false, reason: 'future' });
  });

  it('honours a custom tolerance, and 0 means exactly now', () => {
    expect(checkTimestamp(String(NOW - 11), { nowMs, toleranceSeconds: 10 })).toMatchObject({ reason: 'stale' });
    expect(checkTimestamp(String(NOW - 10), { nowMs, toleranceSeconds: 10 }).ok).toBe(true);
    expect(checkTimestamp(String(NOW), { nowMs, toleranceSeconds: 0 }).ok).toBe(true);
    expect(checkTimestamp(String(NOW + 1), { nowMs, toleranceSeconds: 0 })).toMatchObject({ reason: 'future' });
  });

  it('compares against a millisecond clock without rounding it into the window', () => {
    expect(checkTimestamp(String(NOW - 300), { nowMs: nowMs + 999 })).toMatchObject({ reason: 'stale' });
  });

  it('uses Date.now() when no clock is given', () => {
    expect(checkTimestamp(String(Math.floor(Date.now() / 1000))).ok).toBe(true);
    expect(checkTimestamp('1000000000')).toMatchObject({ reason: 'stale' });
  });

  it.each([
    ['abc'], ['1e9'], ['-1'], ['0x10'], ['12345678901234567890'], ['12345678901'], [' 1700000000'], ['1700000000 '],
    ['1700000000.5'], ['+1700000000'], ['１７'], ['Infinity'], ['NaN'],
  ])('rejects %j as malformed', (value) => {
    expect(checkTimestamp(value, { nowMs })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it.each([[''], [undefined], [null]])('reports %j as missing', (value) => {
    expect(checkTimestamp(value, { nowMs })).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('rejects non-string values without coercing them', () => {
    expect(checkTimestamp(NOW, { nowMs })).toMatchObject({ reason: 'malformed' });
    expect(checkTimestamp([String(NOW)], { nowMs })).toMatchObject({ reason: 'malformed' });
  });

  it('property: any string that is not 1-10 digits is never ok', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }).filter((s) => !/^\d{1,10}$/.test(s)), (value) => {
        expect(checkTimestamp(value, { nowMs }).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a timestamp is ok exactly when it lies within the tolerance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), fc.integer({ min: 0, max: 100_000 }), (ts, tolerance) => {
        const result = checkTimestamp(String(ts), { nowMs, toleranceSeconds: tolerance });
        expect(result.ok).toBe(Math.abs(ts - NOW) <= tolerance);
        if (!result.ok) expect(result.reason).toBe(ts < NOW ? 'stale' : 'future');
      }),
      { numRuns: 300 },
    );
  });
});
