/**
 * The inbound path end to end on real NATS + Redis: HTTP → gateway (node "gw") → NATS transporter →
 * acme.i_receiveWebhook (node "int") → JetStream. Every bad input gets the right status, and the stream
 * (read with the nats client) holds exactly what was accepted.
 */
import type { ServiceBroker } from 'moleculer';
import { defineIntegration } from '../../src/integration';
import { standardWebhooks } from '../../src/security';
import type { IntegrationConfig, NormalizedMessage } from '../../src/types';
import { suiteServers } from '../harness/suite';
import {
  acmeBody, acmeIntegration, acmeSign, ACME_HEADER, channel, freshNamespace, gatewayService, makeBroker, post, postAcme,
  storedReceived, uid,
} from '../integration/stack';

const stack = suiteServers();
let gw: ServiceBroker;
let int: ServiceBroker;
let base: string;
let ns: string;
const channels = new Map<string, IntegrationConfig>();
const SW_SECRET = `whsec_${Buffer.from('standard-webhooks-test-secret').toString('base64')}`;
const sw = standardWebhooks();

const swIntegration = defineIntegration({
  name: 'sw',
  spec: { id: 'sw', name: 'SW', platform: 'sw', version: '1', status: 'ACTIVE', capabilities: [] },
  webhookSignature: sw,
  getChannelConfig: (_ctx, id) => (id === 'swc' ? { id, tenantId: 't-sw', platform: 'sw', credentials: {}, secrets: [SW_SECRET], settings: {}, status: 'active' } : null),
  normalize: (w): NormalizedMessage[] => [{ id: 'm', platform: 'sw', conversationId: 'c', from: { id: 'u' }, timestamp: w.receivedAt, content: { type: 'text', text: String((w.payload as { text?: unknown }).text) } }],
});

beforeAll(async () => {
  ns = freshNamespace('gw');
  channels.set('c1', channel('c1'));
  channels.set('rot', channel('rot', { secrets: ['new-secret', 'old-secret'] }));
  channels.set('off', channel('off', { status: 'disabled' }));
  channels.set('other', channel('other', { platform: 'not-acme' }));
  // An unknown integration is a 404 only once the node has had time to see every service (issue 8.4): no grace here.
  const { schema, url } = await gatewayService({ discoveryGraceMs: 0 });
  base = url;
  gw = makeBroker({ nodeID: 'gw', namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [schema] });
  int = makeBroker({ nodeID: 'int', namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [acmeIntegration(channels, { validate: (b) => b.id !== 'reject-me' }), swIntegration] });
  stack.suiteBrokers.push(gw, int);
  await Promise.all([gw.start(), int.start()]);
  await gw.waitForServices(['acme', 'sw']);
}, 60_000);

/** Messages stored for one event id. */
async function storedFor(eventId: string) {
  return (await storedReceived(stack.nats().url, ns)).filter((m) => m.eventId === eventId);
}

describe('accepted deliveries', () => {
  it('stores each message with its msg id and tenant from the channel, answers 200 {success, messages}', async () => {
    const id = `ok-${uid()}`;
    const res = await postAcme(base, 'c1', acmeBody(id, 'hello', 'world'), undefined, { 'x-tenant-id': 'evil' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, messages: 2 });
    const stored = await storedFor(id);
    expect(stored.map((m) => m.$msgId)).toEqual([`acme:c1:${id}:0`, `acme:c1:${id}:1`]);
    expect(stored[0]).toMatchObject({ tenantId: 'tenant-c1', channelId: 'c1', integration: 'acme', index: 0, message: { content: { type: 'text', text: 'hello' } } });
  });

  it('emoji, lone surrogates, \\u0000 and escaped unicode: raw bytes kept, signature valid', async () => {
    const id = `uni-${uid()}`;
    const raw = `{"id":"${id}","messages":[{"id":"m","chat":"c","from":"u","text":"héllo 👋 \\ud800 \\u0000 \\u00e9"}]}`;
    const res = await postAcme(base, 'c1', raw);
    expect(res.status).toBe(200);
    const [m] = await storedFor(id);
    expect((m.message as { content: { text: string } }).content.text).toBe('héllo 👋 \ud800 \u0000 é');
  });

  it('arbitrary bytes (invalid UTF-8) cross the NATS transporter intact: the signature verifies, then parsing says 400', async () => {
    const raw = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const res = await post(`${base}/webhooks/acme/c1`, raw, { [ACME_HEADER]: acmeSign(raw, 'secret-c1') });
    expect(res).toMatchObject({ status: 400, body: { error: 'BAD_REQUEST' } });
  });

  it('secret rotation: a delivery signed with either active secret is accepted', async () => {
    for (const secret of ['new-secret', 'old-secret']) {
      const res = await postAcme(base, 'rot', acmeBody(`rot-${uid()}`, 'x'), secret);
      expect(res.status).toBe(200);
    }
  });

  it('a webhook with no messages is acknowledged and publishes nothing', async () => {
    const id = `empty-${uid()}`;
    const res = await postAcme(base, 'c1', { id });
    expect(res).toMatchObject({ status: 200, body: { success: true, messages: 0 } });
    expect(await storedFor(id)).toHaveLength(0);
  });

  it('application/*+json and a charset parameter are accepted', async () => {
    const raw = JSON.stringify(acmeBody(`ct-${uid()}`, 'x'));
    const res = await post(`${base}/webhooks/acme/c1`, raw, { 'content-type': 'application/vnd.acme+json; charset=utf-8', [ACME_HEADER]: acmeSign(raw, 'secret-c1') });
    expect(res.status).toBe(200);
  });
});

describe('bad signatures → 401, nothing stored, never a 500', () => {
  const raw = () => JSON.stringify(acmeBody(`sig-${uid()}`, 'x'));
  const cases: Array<[string, (body: string) => Record<string, string>]> = [
    ['missing signature header', () => ({})],
    ['empty signature', () => ({ [ACME_HEADER]: '' })],
    ['prefix only', () => ({ [ACME_HEADER]: 'sha256=' })],
    ['wrong length hex', (b) => ({ [ACME_HEADER]: acmeSign(b, 'secret-c1').slice(0, -2) })],
    ['right length, not hex', () => ({ [ACME_HEADER]: `sha256=${'zz'.repeat(32)}` })],
    ['signed with another secret', (b) => ({ [ACME_HEADER]: acmeSign(b, 'not-the-secret') })],
    ['signature of another body', () => ({ [ACME_HEADER]: acmeSign('{"id":"other"}', 'secret-c1') })],
    ['latin-1 junk in the header', () => ({ [ACME_HEADER]: 'sha256=ÿÿ\u00e9\t' })],
    ['no prefix', (b) => ({ [ACME_HEADER]: acmeSign(b, 'secret-c1').slice('sha256='.length) })],
  ];
  it.each(cases)('%s', async (_name, headersFor) => {
    const body = raw();
    const res = await post(`${base}/webhooks/acme/c1`, body, headersFor(body));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'INVALID_SIGNATURE', code: 401, message: expect.any(String) });
    expect(await storedFor(JSON.parse(body).id)).toHaveLength(0);
  });

  it('body re-serialized (other spacing) after signing → 401', async () => {
    const body = acmeBody(`reser-${uid()}`, 'x');
    const signed = JSON.stringify(body);
    const res = await post(`${base}/webhooks/acme/c1`, JSON.stringify(body, null, 2), { [ACME_HEADER]: acmeSign(signed, 'secret-c1') });
    expect(res.status).toBe(401);
  });

  it('rotation: signed with neither active secret → 401', async () => {
    const res = await postAcme(base, 'rot', acmeBody(`rot-${uid()}`, 'x'), 'retired-secret');
    expect(res.status).toBe(401);
  });
});

describe('timestamps (Standard Webhooks) → 401', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => string]> = [
    ['too old (6 min)', () => String(now() - 360)],
    ['too far ahead (6 min)', () => String(now() + 360)],
    ['abc', () => 'abc'],
    ['1e9', () => '1e9'],
    ['-1', () => '-1'],
    ['0x10', () => '0x10'],
    ['empty', () => ''],
    ['20 digits', () => '1'.repeat(20)],
  ];
  it.each(cases)('%s', async (_name, ts) => {
    const raw = JSON.stringify({ text: 'x' });
    const headers = sw.sign({ rawBody: raw, secret: SW_SECRET, id: `msg_${uid()}` });
    // the signature is valid for the bad timestamp: only the timestamp check can reject it
    const t = ts();
    const resigned = /^\d{1,10}$/.test(t) ? sw.sign({ rawBody: raw, secret: SW_SECRET, id: headers['webhook-id'], timestamp: Number(t) }) : { ...headers, 'webhook-timestamp': t };
    const res = await post(`${base}/webhooks/sw/swc`, raw, resigned);
    expect(res.status).toBe(401);
  });

  it('several signatures, one valid → accepted; a retry with a new timestamp and signature is a duplicate', async () => {
    const raw = JSON.stringify({ text: 'multi' });
    const id = `msg_${uid()}`;
    const h = sw.sign({ rawBody: raw, secret: SW_SECRET, id });
    const first = await post(`${base}/webhooks/sw/swc`, raw, { ...h, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${h['webhook-signature']}` });
    expect(first).toMatchObject({ status: 200, body: { success: true, messages: 1 } });
    const retry = sw.sign({ rawBody: raw, secret: SW_SECRET, id, timestamp: now() + 2 });
    const second = await post(`${base}/webhooks/sw/swc`, raw, retry);
    expect(second).toMatchObject({ status: 200, body: { success: true, duplicate: true } });
    expect(await storedFor(id)).toHaveLength(1);
  });
});

describe('bodies and headers', () => {
  it('malformed JSON with a valid signature → 400, nothing stored, id not marked (a fixed retry succeeds)', async () => {
    const id = `bad-${uid()}`;
    const res = await postAcme(base, 'c1', `{"id":"${id}", "messages": [`);
    expect(res).toMatchObject({ status: 400, body: { error: 'BAD_REQUEST', code: 400 } });
    expect(await storedFor(id)).toHaveLength(0);
    expect((await postAcme(base, 'c1', acmeBody(id, 'fixed'))).status).toBe(200);
  });

  it('body over 1 MiB → 413 before any signature work', async () => {
    const raw = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const res = await post(`${base}/webhooks/acme/c1`, raw, { [ACME_HEADER]: 'sha256=00' });
    expect(res).toMatchObject({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE', code: 413 } });
  });

  it('text/plain → 415 with a reason', async () => {
    const raw = JSON.stringify(acmeBody(`ct-${uid()}`, 'x'));
    const res = await post(`${base}/webhooks/acme/c1`, raw, { 'content-type': 'text/plain', [ACME_HEADER]: acmeSign(raw, 'secret-c1') });
    expect(res).toMatchObject({ status: 415, body: { error: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('text/plain') } });
  });

  it('form-encoded body → 415', async () => {
    const res = await post(`${base}/webhooks/acme/c1`, 'id=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });

  it('a JSON scalar → 400', async () => {
    expect((await postAcme(base, 'c1', '"just a string"')).status).toBe(400);
  });

  it('10k levels of nesting → 400 in bounded time', async () => {
    const started = Date.now();
    const res = await postAcme(base, 'c1', `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(res.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('10^5-element array inside 1 MiB → handled in bounded time', async () => {
    const started = Date.now();
    const res = await postAcme(base, 'c1', `{"id":"big-${uid()}","list":[${'0,'.repeat(100_000)}0]}`);
    expect(res).toMatchObject({ status: 200, body: { messages: 0 } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('validateWebhook false → 400', async () => {
    expect((await postAcme(base, 'c1', acmeBody('reject-me', 'x'))).status).toBe(400);
  });

  it('an unusable event id (an object, an empty string) → 400', async () => {
    expect((await postAcme(base, 'c1', { id: {} as unknown as string, messages: [] })).status).toBe(400);
    expect((await postAcme(base, 'c1', { id: '', messages: [] })).status).toBe(400);
  });

  it('no event id in the body → the hash of the bytes identifies it: the same bytes again are a duplicate', async () => {
    const raw = JSON.stringify({ messages: [{ id: `h-${uid()}`, chat: 'c', from: 'u', text: 'x' }] });
    const first = await postAcme(base, 'c1', raw);
    expect(first).toMatchObject({ status: 200, body: { messages: 1, eventId: expect.stringMatching(/^sha256:/) } });
    expect((await postAcme(base, 'c1', raw)).body).toMatchObject({ duplicate: true });
  });

  it('__proto__ and constructor.prototype keys never touch a prototype', async () => {
    const id = `proto-${uid()}`;
    const raw = `{"id":"${id}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"messages":[{"id":"m","chat":"c","from":"u","text":"p"}]}`;
    const res = await post(`${base}/webhooks/acme/c1?__proto__[polluted]=1&constructor[prototype][polluted]=1`, raw, { [ACME_HEADER]: acmeSign(raw, 'secret-c1') });
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await storedFor(id)).toHaveLength(1);
  });

  it('the query cannot override the body: ?id=other leaves the event id from the body', async () => {
    const id = `q-${uid()}`;
    const raw = JSON.stringify(acmeBody(id, 'x'));
    const res = await post(`${base}/webhooks/acme/c1?id=other&channelId=off&body=e30=`, raw, { [ACME_HEADER]: acmeSign(raw, 'secret-c1') });
    expect(res).toMatchObject({ status: 200, body: { eventId: id } });
  });
});

describe('routing', () => {
  it('unknown channel → 404', async () => {
    expect((await postAcme(base, 'nope', acmeBody('x', 'x'))).status).toBe(404);
  });
  it('disabled channel → 404', async () => {
    expect((await postAcme(base, 'off', acmeBody('x', 'x'))).status).toBe(404);
  });
  it('a channel of another platform → 404', async () => {
    expect((await postAcme(base, 'other', acmeBody('x', 'x'))).status).toBe(404);
  });
  it('unknown integration → 404 as JSON', async () => {
    const res = await post(`${base}/webhooks/nosuch/c1`, '{}', {});
    expect(res).toMatchObject({ status: 404, body: { error: 'NOT_FOUND', code: 404 } });
  });
  it('other actions are unreachable: /webhooks/api/health, $node, /api/... → 404', async () => {
    for (const path of ['/webhooks/api/health', '/webhooks/$node/list', '/webhooks/acme', '/webhooks/acme/c1/extra', '/acme/i_receiveWebhook', '/webhooks/acme/c1:x', '/webhooks/acme.v2/c1']) {
      const res = await post(`${base}${path}`, '{}', {});
      expect([path, res.status]).toEqual([path, 404]);
    }
  });
  it('a malformed percent-encoding in the path → a JSON 4xx, never a 500', async () => {
    const res = await post(`${base}/webhooks/acme/%E0%A4%A`, '{}', {});
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject({ code: res.status });
  });
  it('PUT and DELETE → 404', async () => {
    for (const method of ['PUT', 'DELETE']) expect((await fetch(`${base}/webhooks/acme/c1`, { method })).status).toBe(404);
  });
});

describe('GET challenges (Meta hub.*)', () => {
  it('right verify token → the challenge as text', async () => {
    const res = await fetch(`${base}/webhooks/acme/c1?hub.mode=subscribe&hub.verify_token=vt-c1&hub.challenge=12345`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('12345');
  });
  it('wrong verify token → 403', async () => {
    expect((await fetch(`${base}/webhooks/acme/c1?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
  });
  it('no challenge in the query → 400; unknown channel → 404', async () => {
    expect((await fetch(`${base}/webhooks/acme/c1`)).status).toBe(400);
    expect((await fetch(`${base}/webhooks/acme/zz?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`)).status).toBe(404);
  });
  it('Slack url_verification POST is answered after its signature check, and only then', async () => {
    const raw = JSON.stringify({ type: 'url_verification', challenge: 'abc' });
    expect(await postAcme(base, 'c1', raw)).toMatchObject({ status: 200, body: { challenge: 'abc' } });
    expect((await post(`${base}/webhooks/acme/c1`, raw, { [ACME_HEADER]: acmeSign(raw, 'wrong') })).status).toBe(401);
  });
});

describe('duplicates', () => {
  it('the same event twice → 200 then 200 {duplicate: true}, stored once', async () => {
    const id = `dup-${uid()}`;
    expect((await postAcme(base, 'c1', acmeBody(id, 'x'))).body).toMatchObject({ success: true, messages: 1 });
    expect((await postAcme(base, 'c1', acmeBody(id, 'x'))).body).toMatchObject({ success: true, duplicate: true });
    expect(await storedFor(id)).toHaveLength(1);
  });

  it('50 concurrent deliveries of one event → exactly one stored; the others 200 duplicate or 409', async () => {
    const id = `burst-${uid()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => postAcme(base, 'c1', acmeBody(id, 'x'))));
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(results.filter((r) => r.status === 200 && (r.body as { messages?: number }).messages === 1)).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 409)) expect(r.headers.get('retry-after')).toBe('1');
    expect(await storedFor(id)).toHaveLength(1);
  });

  it('a publish that fails after the claim → 503, claim released; the retry stores each message exactly once', async () => {
    const id = `retry-${uid()}`;
    const original = int.sendToChannel;
    let calls = 0;
    int.sendToChannel = (async (...args: Parameters<ServiceBroker['sendToChannel']>) => {
      calls += 1;
      if (calls === 2) throw new Error('simulated lost PubAck');
      return original.apply(int, args);
    }) as ServiceBroker['sendToChannel'];
    try {
      const first = await postAcme(base, 'c1', acmeBody(id, 'one', 'two'));
      expect(first).toMatchObject({ status: 503, body: { error: 'PUBLISH_FAILED', code: 503 } });
      expect(first.headers.get('retry-after')).toBe('5');
      expect(await storedFor(id)).toHaveLength(1); // the first message made it
      const retry = await postAcme(base, 'c1', acmeBody(id, 'one', 'two'));
      expect(retry).toMatchObject({ status: 200, body: { success: true, messages: 2 } });
      const stored = await storedFor(id);
      expect(stored.map((m) => m.$msgId).sort()).toEqual([`acme:c1:${id}:0`, `acme:c1:${id}:1`]);
    } finally {
      int.sendToChannel = original;
    }
  });
});
