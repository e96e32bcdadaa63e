/** Graph API error answers (Meta's error body shape) → typed errors and retry decisions. */
import { classifyFailure, retryAfterFromError } from '../../../src/retry';
import { graphErrorCode, whatsappApiError, WINDOW_CLOSED } from '../../../src/platforms/whatsapp';

/** Meta's error body: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/ */
const graph = (status: number, code: number, message: string, details?: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { message, type: 'OAuthException', code, ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}), fbtrace_id: 'AbCdEf' } }), { status, headers });

describe('whatsapp error mapping', () => {
  it('130429 (throughput) and 131056 (pair rate) are retryable with a wait', async () => {
    const throughput = await whatsappApiError(graph(400, 130429, '(#130429) Rate limit hit'), 'send');
    expect(classifyFailure(throughput)).toBe('retryable');
    expect(retryAfterFromError(throughput)).toBe(1000);
    const pair = await whatsappApiError(graph(400, 131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit'), 'send');
    expect(classifyFailure(pair)).toBe('retryable');
    expect(retryAfterFromError(pair)).toBe(6000);
    expect(graphErrorCode(pair)).toBe(131056);
  });

  it("a Retry-After header wins over the code's default wait", async () => {
    expect(retryAfterFromError(await whatsappApiError(graph(400, 130429, 'Rate limit hit', undefined, { 'retry-after': '3' }), 'send'))).toBe(3000);
  });

  it('131047 (re-engagement) is WINDOW_CLOSED, a 400 that is not retried', async () => {
    const err = await whatsappApiError(graph(400, 131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'), 'send') as Error & { code: number; type: string };
    expect(err.type).toBe(WINDOW_CLOSED);
    expect(err.code).toBe(400);
    expect(classifyFailure(err)).toBe('fatal');
    expect(err.message).toMatch(/more than 24 hours/);
  });

  it('131026, 131051, 100 and 190 are permanent; 190 keeps its code for the health mark', async () => {
    for (const [status, code] of [[400, 131026], [400, 131051], [400, 100], [401, 190]]) {
      const err = await whatsappApiError(graph(status, code, `(#${code}) x`), 'send');
      expect(classifyFailure(err)).toBe('fatal');
      expect(graphErrorCode(err)).toBe(code);
      expect((err as unknown as { data: { status: number } }).data.status).toBe(status);
    }
  });

  it('5xx and the transient codes (131000, 131016) are retryable; a non-JSON body is kept as text', async () => {
    expect(classifyFailure(await whatsappApiError(graph(500, 131000, 'Something went wrong'), 'send'))).toBe('retryable');
    expect(classifyFailure(await whatsappApiError(graph(400, 131016, 'Service unavailable'), 'send'))).toBe('retryable');
    const html = await whatsappApiError(new Response('<html>bad gateway</html>', { status: 502 }), 'send');
    expect(classifyFailure(html)).toBe('retryable');
    expect(html.message).toMatch(/HTTP 502/);
  });
});
