/** The webhook VCR file: credentials never written, one 0600 file per request. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordableHeaders, writeRecording } from '../../../src/integration/inbound/record';

describe('recordableHeaders', () => {
  it('drops authorization, cookies, Telegram\'s secret token and any header holding a channel secret; keeps signatures', () => {
    const headers = {
      authorization: 'Basic dTpw', 'proxy-authorization': 'x', cookie: 'a=b', 'x-telegram-bot-api-secret-token': 'tok_123',
      'x-custom-key': 'prefix-my-secret-value', 'x-slack-signature': 'v0=abc', 'content-type': 'application/json',
    };
    expect(recordableHeaders(headers, ['my-secret-value', 'x'])).toEqual({ 'x-slack-signature': 'v0=abc', 'content-type': 'application/json' });
  });
});

describe('writeRecording', () => {
  it('writes one JSON file per call, readable only by the owner', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sb-rec-')), 'nested');
    try {
      const rec = { integration: 'slack', channelId: 'ws/1', method: 'POST', path: '/webhooks/slack/ws1', headers: {}, body: 'e30=', receivedAt: 1, answer: { status: 200, body: {} } };
      const a = await writeRecording(dir, rec);
      const b = await writeRecording(dir, rec);
      expect(a).not.toBe(b);
      expect(readdirSync(dir)).toHaveLength(2);
      expect(JSON.parse(readFileSync(a, 'utf8'))).toEqual(rec);
      expect(statSync(a).mode & 0o777).toBe(0o600);
      expect(a).toMatch(/1-slack-ws_1-[0-9a-f]{8}\.json$/);
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
