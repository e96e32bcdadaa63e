/** replayWebhook's pieces: the scheme recognised from recorded headers, re-signing, and clear refusals. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replayWebhook, schemeOfRecording, type WebhookRecording } from '../../src/testing';
import { slackSignature, standardWebhooks } from '../../src/security';

const recording = (headers: Record<string, string>, body = '{"a":1}'): WebhookRecording => ({
  integration: 'acme', channelId: 'c1', method: 'POST', path: '/webhooks/acme/c1?x=1', headers,
  body: Buffer.from(body).toString('base64'), receivedAt: 1, answer: { status: 200, body: {} },
});

describe('schemeOfRecording', () => {
  it.each([
    [{ 'svix-signature': 'v1,x' }, 'standard-webhooks'], [{ 'webhook-signature': 'v1,x' }, 'standard-webhooks'],
    [{ 'x-slack-signature': 'v0=x' }, 'slack'], [{ 'x-hub-signature-256': 'sha256=x' }, 'meta'],
    [{ 'x-twilio-signature': 'x' }, 'twilio'], [{ 'x-signature-ed25519': 'ab' }, 'ed25519'],
  ])('%p → %s', (headers, name) => expect(schemeOfRecording(headers).name).toBe(name));
  it('no known header → a ConfigError asking for `scheme`', () => {
    expect(() => schemeOfRecording({ 'content-type': 'application/json' })).toThrow(/pass `scheme`/);
  });
});

describe('replayWebhook over HTTP', () => {
  it('re-signs with the test secret (id kept, fresh timestamp), drops hop-by-hop headers, posts to the recorded path', async () => {
    let seen: { url?: string; headers: IncomingMessage['headers']; body: string } | undefined;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => { seen = { url: req.url, headers: req.headers, body }; res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}'); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const rec = recording({ 'webhook-id': 'msg_keep', 'webhook-timestamp': '1', 'webhook-signature': 'v1,old', host: 'platform.example', 'content-length': '7', 'user-agent': 'Svix-Webhooks/1.0' });
      const res = await replayWebhook(rec, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', baseUrl: base, headers: { 'x-extra': '1' } });
      expect(res).toEqual({ status: 202, body: { ok: true } });
      expect(seen!.url).toBe('/webhooks/acme/c1?x=1');
      expect(seen!.body).toBe('{"a":1}');
      expect(seen!.headers).toMatchObject({ 'webhook-id': 'msg_keep', 'user-agent': 'Svix-Webhooks/1.0', 'x-extra': '1', host: expect.stringContaining('127.0.0.1') });
      const verified = standardWebhooks().verify({ rawBody: Buffer.from(seen!.body), headers: seen!.headers as Record<string, string>, secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] });
      expect(verified).toMatchObject({ valid: true, eventId: 'msg_keep' });
      // another channel id rewrites the path; an explicit scheme overrides the guess
      await replayWebhook(rec, { secret: 's', baseUrl: base, channelId: 'c2', scheme: slackSignature() });
      expect(seen!.url).toBe('/webhooks/acme/c2?x=1');
      expect(seen!.headers['x-slack-signature']).toMatch(/^v0=/);
      expect(seen!.headers['webhook-signature']).toBeUndefined();
    } finally {
      server.close();
    }
  });
  it('needs a target and a fixture', async () => {
    await expect(replayWebhook(recording({ 'x-slack-signature': 'v0=x' }), { secret: 's' })).rejects.toThrow(/baseUrl/);
    await expect(replayWebhook({} as WebhookRecording, { secret: 's', baseUrl: 'http://x' })).rejects.toThrow(/fixture/);
  });
});
