/**
 * Registry changes reach every node at once, on real NATS + Redis: the registry service on one broker,
 * the gateway beside it, the integration on another with a long channel cache. Disabling a channel or
 * rotating its secret must take effect within a second, not at the end of the cache's TTL.
 */
import type { ServiceBroker, ServiceSchema } from 'moleculer';
import { defineIntegration } from '../../src';
import { channelRegistryActions } from '../../src/entries/registry';
import type { NormalizedMessage, WebhookEvent } from '../../src/types';
import { suiteServers } from '../harness/suite';
import { acmeBody, acmeScheme, freshNamespace, gatewayService, makeBroker, postAcme, uid, type AcmeBody } from './stack';

const CACHE_TTL_MS = 60_000;

const acmeOnRegistry = defineIntegration({
  name: 'acme',
  spec: { id: 'acme', name: 'Acme', platform: 'acme', version: '1.0.0', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE'] },
  webhookSignature: acmeScheme,
  inbound: { channelCacheTtlMs: CACHE_TTL_MS },
  eventId: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.id,
  normalize(webhook: WebhookEvent<AcmeBody>): NormalizedMessage[] {
    return (webhook.payload.messages ?? []).map((m) => ({
      id: m.id, platform: 'acme', conversationId: m.chat, from: { id: m.from }, timestamp: webhook.receivedAt, content: { type: 'text', text: m.text },
    }));
  },
});

const stack = suiteServers();
let front: ServiceBroker;
let back: ServiceBroker;
let gateway: string;

beforeAll(async () => {
  const namespace = freshNamespace('changes');
  const gw = await gatewayService();
  gateway = gw.url;
  const registry: ServiceSchema = { name: 'registry', actions: channelRegistryActions() };
  front = makeBroker({ nodeID: `front-${uid()}`, namespace, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [registry, gw.schema] });
  back = makeBroker({ nodeID: `back-${uid()}`, namespace, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [acmeOnRegistry] });
  stack.suiteBrokers.push(front, back);
  await Promise.all([front.start(), back.start()]);
  await front.waitForServices(['acme']);
});

/** Posts fresh signed deliveries until one answers `status`, for at most `withinMs`; returns the statuses seen. */
async function untilStatus(channelId: string, secret: string, status: number, withinMs: number): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const res = await postAcme(gateway, channelId, acmeBody(`evt-${uid()}`, 'hi'), secret);
    seen.push(res.status);
    if (res.status === status) return seen;
    await new Promise((r) => setTimeout(r, 50));
  }
  return seen;
}

async function newChannel() {
  const id = `ch-${uid()}`;
  const secret = `first-secret-${uid()}-0123456789`;
  await front.call('registry.create', { channel: { id, tenantId: 'acme-co', platform: 'acme', secrets: [secret] } });
  const first = await postAcme(gateway, id, acmeBody(`evt-${uid()}`, 'hello'), secret);
  expect(first.status).toBe(200); // now cached on the integration's node for CACHE_TTL_MS
  return { id, secret };
}

it('a channel disabled through the registry is refused (404) within a second, though cached for a minute', async () => {
  const { id, secret } = await newChannel();
  await front.call('registry.disable', { id });
  const seen = await untilStatus(id, secret, 404, 1_000);
  expect(seen[seen.length - 1]).toBe(404);
});

it('a rotated secret is accepted within a second, and the old one still is during its grace period', async () => {
  const { id, secret } = await newChannel();
  const next = `second-secret-${uid()}-0123456789`;
  await front.call('registry.rotateSecret', { id, secret: next, graceSeconds: 60 });
  const seen = await untilStatus(id, next, 200, 1_000);
  expect(seen[seen.length - 1]).toBe(200);
  expect((await postAcme(gateway, id, acmeBody(`evt-${uid()}`, 'old'), secret)).status).toBe(200);
});
