/** SWITCHBOARD_SUBSCRIPTIONS: parsed like SWITCHBOARD_CHANNELS (JSON or a file path), seeded into the store, stale static ones removed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../../src/store';
import { parseSubscriptionsSource, seedSubscriptions, SubscriptionStore } from '../../../src/webhooks-out/subscriptions';
import { readEnv } from '../../../src/config';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const entry = (over: Record<string, unknown> = {}) => ({ id: 'crm', tenantId: 'acme', url: 'https://93.184.215.14/x', events: ['message.received'], secret: SECRET, ...over });

describe('parseSubscriptionsSource', () => {
  it('reads a JSON array, or a file holding one; unset or empty is none', () => {
    const json = JSON.stringify([entry(), entry({ id: 'erp', events: ['*'] })]);
    expect(parseSubscriptionsSource(json).map((s) => s.id)).toEqual(['crm', 'erp']);
    const file = join(mkdtempSync(join(tmpdir(), 'sb-subs-')), 'subscriptions.json');
    writeFileSync(file, json);
    expect(parseSubscriptionsSource(file)).toEqual(parseSubscriptionsSource(json));
    expect(parseSubscriptionsSource(undefined)).toEqual([]);
    expect(parseSubscriptionsSource('  ')).toEqual([]);
  });

  it('names the variable and the entry on bad input, never the secret', () => {
    const cases: Array<[string, RegExp]> = [
      ['/no/such/file.json', /SWITCHBOARD_SUBSCRIPTIONS is neither a JSON array nor a readable file/],
      ['[{', /SWITCHBOARD_SUBSCRIPTIONS does not hold valid JSON/],
      [JSON.stringify({ a: 1 }), /must hold a JSON array/],
      [JSON.stringify([entry(), entry({ events: ['message.nope'] })]), /SWITCHBOARD_SUBSCRIPTIONS\[1\]: unknown event type "message.nope"/],
      [JSON.stringify([entry({ secret: undefined })]), /SWITCHBOARD_SUBSCRIPTIONS\[0\]: .*needs its secret/],
      [JSON.stringify([entry(), entry()]), /SWITCHBOARD_SUBSCRIPTIONS\[1\]: subscription id crm appears twice/],
      [JSON.stringify([entry({ url: 'gopher://x' })]), /SWITCHBOARD_SUBSCRIPTIONS\[0\]: url must be http or https/],
      [JSON.stringify([entry({ secret: 'whsec_short' })]), /SWITCHBOARD_SUBSCRIPTIONS\[0\]: secret must be/],
    ];
    for (const [value, message] of cases) {
      let error: Error | undefined;
      try { parseSubscriptionsSource(value); } catch (err) { error = err as Error; }
      expect(error).toMatchObject({ type: 'CONFIG_INVALID', message: expect.stringMatching(message) });
      expect(error?.message).not.toContain(SECRET);
    }
  });

  it('is a known environment variable', () => {
    expect(() => readEnv({ SWITCHBOARD_SUBSCRIPTIONS: '[]' })).not.toThrow();
  });
});

describe('seedSubscriptions', () => {
  it('writes the configured ones as static and removes static ones no longer configured; API-made ones untouched', async () => {
    const store = new SubscriptionStore(new MemoryStore());
    const dynamic = (await store.create('acme', { url: 'https://93.184.215.14/x', events: ['*'] })).subscription;
    expect(await seedSubscriptions(store, parseSubscriptionsSource(JSON.stringify([entry(), entry({ id: 'erp' })])))).toEqual({ written: 2, removed: 0 });
    expect((await store.listByTenant('acme')).map((s) => [s.id, s.static === true]).sort()).toEqual([['crm', true], [dynamic.id, false], ['erp', true]].sort());
    expect(await store.signingSecrets('crm')).toEqual([SECRET]);
    expect(await seedSubscriptions(store, parseSubscriptionsSource(JSON.stringify([entry()])))).toEqual({ written: 1, removed: 1 });
    expect((await store.listByTenant('acme')).map((s) => s.id).sort()).toEqual(['crm', dynamic.id].sort());
    expect((await store.match('acme', 'message.received')).map((s) => s.id).sort()).toEqual(['crm', dynamic.id].sort());
  });

  it('a configured status applies on first write only; the run-time status survives the next start', async () => {
    const store = new SubscriptionStore(new MemoryStore());
    await seedSubscriptions(store, parseSubscriptionsSource(JSON.stringify([entry({ status: 'disabled' })])));
    expect(await store.get('crm')).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    await store.enable('crm');
    await seedSubscriptions(store, parseSubscriptionsSource(JSON.stringify([entry({ status: 'disabled' })])));
    expect(await store.get('crm')).toMatchObject({ status: 'active' });
    await store.disable('crm', 'gone');
    await seedSubscriptions(store, parseSubscriptionsSource(JSON.stringify([entry()])));
    expect(await store.get('crm')).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
  });
});
