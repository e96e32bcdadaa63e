/** Send retries are logged with the attempt that failed, the reason (never the error's message) and the wait. */
import { PlatformError } from '../../src/errors';
import { executeWithRetry } from '../../src/retry';
import { retryLogger } from '../../src/metrics';

describe('retryLogger', () => {
  it('logs each retry with its attempt number and wait, as executeWithRetry reports them', async () => {
    const lines: string[] = [];
    const logger = { warn: (...args: unknown[]) => { lines.push(args.join(' ')); } };
    let calls = 0;
    const result = await executeWithRetry(async () => {
      calls++;
      if (calls < 3) throw new PlatformError('HTTP 503 from https://api.example/botSECRET-TOKEN/send', { status: 503 });
      return 'ok';
    }, { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 10, jitter: 0, onRetry: retryLogger(logger, 'tg', 'c1') });
    expect(result).toBe('ok');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^send via tg on channel c1: attempt 1 failed \(\w+: PlatformError PLATFORM_ERROR 50\d\); retrying in \d+ ms \(attempt 2\)$/);
    expect(lines[1]).toMatch(/attempt 2 failed .*retrying in \d+ ms \(attempt 3\)$/);
    expect(lines.join('\n')).not.toContain('SECRET-TOKEN');
  });
});
