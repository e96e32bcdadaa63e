/** Subscription input checks: event types, URL form, filter shape, description, ordering, secrets — each refusal a 400 naming the field. */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  checkEvents, checkStaticSubscription, checkSubscriptionFilter, checkSubscriptionInput, checkSubscriptionSecret, checkSubscriptionUpdate,
  compileSubscriptionFilter, generateSubscriptionSecret, MAX_DESCRIPTION_LENGTH,
} from '../../../src/webhooks-out/subscriptions';

const URL_OK = 'https://93.184.215.14/hooks';
const bad = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as { code: number; type: string; message: string; data?: { field?: string } };
  }
  throw new Error('expected a refusal');
};

describe('events', () => {
  it('takes the known types and *, drops repeats, and names an unknown type', () => {
    expect(checkEvents(['message.received', '*', 'message.received', 'message.status'])).toEqual(['message.received', '*', 'message.status']);
    const err = bad(() => checkEvents(['message.received', 'message.deleted']));
    expect(err).toMatchObject({ code: 400, data: { field: 'events' } });
    expect(err.message).toContain('"message.deleted"');
    expect(err.message).toContain('message.failed');
    for (const value of [[], 'message.received', [1], null, ['webhook.test']]) expect(bad(() => checkEvents(value)).code).toBe(400);
  });
});

describe('create input', () => {
  it('normalizes a valid body and refuses unknown fields, naming them', () => {
    expect(checkSubscriptionInput({ url: URL_OK, events: ['*'], ordering: 'conversation', description: 'x' })).toEqual({ url: URL_OK, events: ['*'], ordering: 'conversation', description: 'x' });
    expect(bad(() => checkSubscriptionInput({ url: URL_OK, events: ['*'], tenantId: 'other' }))).toMatchObject({ code: 400, data: { field: 'tenantId' } });
    expect(bad(() => checkSubscriptionInput({ url: URL_OK, events: ['*'], id: 'mine' })).message).toContain('generated');
    expect(bad(() => checkSubscriptionInput([]))).toMatchObject({ code: 400 });
  });

  it('refuses a URL that is not http(s), not a URL, too long, or carries credentials', () => {
    for (const url of ['ftp://93.184.215.14/x', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', '', 42, `https://a.example/${'x'.repeat(2100)}`, 'https://user:pw@93.184.215.14/x']) {
      expect(bad(() => checkSubscriptionInput({ url, events: ['*'] }))).toMatchObject({ code: 400, data: { field: 'url' } });
    }
  });

  it('refuses a description over the limit and an unknown ordering', () => {
    expect(checkSubscriptionInput({ url: URL_OK, events: ['*'], description: 'd'.repeat(MAX_DESCRIPTION_LENGTH) }).description).toHaveLength(MAX_DESCRIPTION_LENGTH);
    expect(bad(() => checkSubscriptionInput({ url: URL_OK, events: ['*'], description: 'd'.repeat(MAX_DESCRIPTION_LENGTH + 1) }))).toMatchObject({ data: { field: 'description' } });
    expect(bad(() => checkSubscriptionInput({ url: URL_OK, events: ['*'], ordering: 'fifo' }))).toMatchObject({ data: { field: 'ordering' } });
  });

  it('update: only url, events, filter, description, ordering; hints where the others change', () => {
    expect(checkSubscriptionUpdate({ filter: null, description: null })).toEqual({ filter: null, description: null });
    expect(bad(() => checkSubscriptionUpdate({ secret: generateSubscriptionSecret() })).message).toContain('rotate-secret');
    expect(bad(() => checkSubscriptionUpdate({ status: 'disabled' })).message).toContain('enable / disable');
    expect(bad(() => checkSubscriptionUpdate({ events: ['nope'] })).message).toContain('"nope"');
  });
});

describe('filter', () => {
  it('takes equals / in / exists with dot paths', () => {
    const filter = { equals: { 'message.conversationId': 'c1', 'message.from.id': 7 }, in: { platform: ['telegram', 'slack'] }, exists: ['message.threadId'] };
    expect(checkSubscriptionFilter(filter)).toEqual(filter);
  });

  it.each([
    ['not an object', 'x', 'filter'],
    ['an array', [], 'filter'],
    ['an unknown part', { contains: { a: 1 } }, 'filter.contains'],
    ['equals not an object', { equals: ['a'] }, 'filter.equals'],
    ['in not a list', { in: { a: 'b' } }, 'filter.in'],
    ['in an empty list', { in: { a: [] } }, 'filter.in'],
    ['exists not a list', { exists: 'a' }, 'filter.exists'],
    ['exists a non-string path', { exists: [3] }, 'filter.exists'],
    ['an empty key', { exists: ['a..b'] }, 'filter.exists'],
    ['a reserved key', { equals: { '__proto__.x': 1 } }, 'filter.equals'],
    ['too many paths', { exists: Array.from({ length: 21 }, (_, i) => `p${i}`) }, 'filter'],
  ])('refuses %s (400 naming %s)', (_what, filter, field) => {
    expect(bad(() => checkSubscriptionInput({ url: URL_OK, events: ['*'], filter }))).toMatchObject({ code: 400, data: { field } });
  });

  it('compiles to a predicate on the payload: every part must hold', () => {
    const match = compileSubscriptionFilter({ equals: { 'message.conversationId': 'c1' }, in: { platform: ['telegram', 'slack'] }, exists: ['message.threadId'] });
    expect(match({ platform: 'slack', message: { conversationId: 'c1', threadId: null } })).toBe(true);
    expect(match({ platform: 'discord', message: { conversationId: 'c1', threadId: 't' } })).toBe(false);
    expect(match({ platform: 'slack', message: { conversationId: 'c2', threadId: 't' } })).toBe(false);
    expect(match({ platform: 'slack', message: { conversationId: 'c1' } })).toBe(false);
    expect(compileSubscriptionFilter(undefined)('anything')).toBe(true);
  });
});

describe('secrets', () => {
  it('a generated secret is whsec_ + base64 of 32 bytes, and the official standardwebhooks library signs and verifies with it', () => {
    const secret = generateSubscriptionSecret();
    expect(checkSubscriptionSecret(secret)).toBe(secret);
    const wh = new Webhook(secret);
    const body = JSON.stringify({ type: 'message.received', timestamp: new Date().toISOString(), data: {} });
    const at = new Date();
    const signature = wh.sign('msg_1', at, body);
    // the same HMAC by hand: the secret's bytes are what the library keys with
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`msg_1.${Math.floor(at.getTime() / 1000)}.${body}`).digest('base64');
    expect(signature).toBe(`v1,${expected}`);
    expect(wh.verify(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature })).toBeDefined();
    expect(new Set(Array.from({ length: 20 }, generateSubscriptionSecret)).size).toBe(20);
  });

  it('refuses secrets without whsec_, not standard base64, or outside 24-64 bytes — never echoing them', () => {
    const cases = ['plain', `whsec_${Buffer.alloc(23).toString('base64')}`, `whsec_${Buffer.alloc(65).toString('base64')}`, `whsec_${Buffer.alloc(32).toString('base64url')}_`, 'whsec_', 'whsec_abc', `whpk_${Buffer.alloc(32).toString('base64')}`];
    for (const secret of cases) {
      const err = bad(() => checkSubscriptionSecret(secret));
      expect(err).toMatchObject({ code: 400, data: { field: 'secret' } });
      if (secret.length > 8) expect(err.message).not.toContain(secret);
    }
    expect(checkSubscriptionSecret(`whsec_${Buffer.alloc(24).toString('base64')}`)).toBeDefined();
    expect(checkSubscriptionSecret(`whsec_${Buffer.alloc(64).toString('base64')}`)).toBeDefined();
  });
});

describe('static entries', () => {
  const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
  it('need an id, a tenant and their secret(s)', () => {
    expect(checkStaticSubscription({ id: 'crm', tenantId: 'acme', url: URL_OK, events: ['*'], secret })).toMatchObject({ id: 'crm', tenantId: 'acme', secrets: [secret] });
    expect(checkStaticSubscription({ id: 'crm', tenantId: 'acme', url: URL_OK, events: ['*'], secrets: [secret, secret] }).secrets).toHaveLength(2);
    expect(bad(() => checkStaticSubscription({ id: 'crm', tenantId: 'acme', url: URL_OK, events: ['*'] })).message).toContain('needs its secret');
    expect(bad(() => checkStaticSubscription({ id: 'crm', tenantId: 'acme', url: URL_OK, events: ['*'], secret, secrets: [secret] }))).toMatchObject({ code: 400 });
    expect(bad(() => checkStaticSubscription({ id: 'bad id', tenantId: 'acme', url: URL_OK, events: ['*'], secret }))).toMatchObject({ data: { field: 'id' } });
    expect(bad(() => checkStaticSubscription({ id: 'crm', url: URL_OK, events: ['*'], secret }))).toMatchObject({ data: { field: 'tenantId' } });
  });
});
