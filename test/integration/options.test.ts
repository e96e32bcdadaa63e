/** Unit tests — the inbound options: defaults, overrides, conflicts. */
import { ConfigError } from '../../src/errors';
import { DEFAULT_DONE_TTL_MS, resolveInboundOptions } from '../../src/integration/options';

describe('resolveInboundOptions', () => {
  it('defaults and overrides', () => {
    expect(resolveInboundOptions('x').doneTtlMs).toBe(DEFAULT_DONE_TTL_MS);
    expect(resolveInboundOptions('x', { claimTtlMs: 500 }).claimTtlMs).toBe(500);
  });
  it('rejects bad values naming the option, and doneTtlMs < claimTtlMs', () => {
    expect(() => resolveInboundOptions('x', { maxBodyBytes: 0 })).toThrow(/inbound\.maxBodyBytes/);
    expect(() => resolveInboundOptions('x', { claimTtlMs: 1.5 })).toThrow(ConfigError);
    expect(() => resolveInboundOptions('x', { claimTtlMs: 10_000, doneTtlMs: 1_000 })).toThrow(/doneTtlMs/);
  });
});
