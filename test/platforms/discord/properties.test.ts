/**
 * Property: whatever a signed Discord interaction carries — a PING, an application command (options nested),
 * a message component, any field replaced by a hostile value (`{"toString": {}}`, arrays, numbers, null, long
 * strings, `__proto__` keys) — every step that reads the payload (the PING challenge, event id, event type,
 * normalize, the deferred answer) answers or throws a 4xx, never a 500, and what it returns is well-typed.
 * `PROPERTY_RUNS=20000 npx jest test/platforms/discord/properties` runs more than the default.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { answerStoredWebhook } from '../../../src/integration/inbound/answers';
import type { InboundPipeline } from '../../../src/integration/inbound/receive-webhook';
import { schemeVerifier } from '../../../src/integration/inbound/verify';
import { resolveInboundOptions } from '../../../src/integration/options';
import { discord, discordEventType, normalizeDiscord, snowflakeTime, type DiscordInteraction } from '../../../src/platforms/discord';
import { MemoryStore } from '../../../src/store';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../../src/types';
import { fieldArbitraries, isText, mutatedSamples, onlyBadRequests, optText, pipelineOutcome } from '../shared/hostile';

const RUNS = Number(process.env.PROPERTY_RUNS) || 3000;
const RECEIVED = 1_700_000_000_000;
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '../../fixtures/discord', name), 'utf8'));
const command = fixture('application-command.json');
const component = fixture('message-component.json');
/** Every shape Discord posts here: the fixtures, a select menu, a sub-command with nested options. */
const SAMPLES: Array<Record<string, unknown>> = [
  command, fixture('dm-command.json'), component, fixture('ping.json'),
  { ...component, data: { custom_id: 'size', component_type: 3, values: ['large'] } },
  { ...command, data: { name: 'config', type: 1, options: [{ name: 'set', type: 1, options: [{ name: 'key', type: 3, value: 'lang' }, { name: 'value', type: 4, value: 7 }] }] } },
];

const { hostile, field, oneOf, rec, list } = fieldArbitraries(['645027906669510667', '53908232506183680', 'A_TOKEN', 'Mason', 'click_one'], [1, 2, 3, 4, 5, '786008729715212338', '99999999999999999999']);

const user = rec({ id: field, username: field, global_name: field });
const { option } = fc.letrec((tie) => ({
  option: rec({ name: field, type: oneOf(1, 2, 3, 4, 5, 10), value: field, options: fc.oneof({ maxDepth: 3, depthIdentifier: 'option' }, field, list(tie('option'))) }),
}));
const interaction = fc.record({
  id: field, application_id: field, type: oneOf(1, 2, 3, 4, 5), token: field, version: field, guild_id: field, channel_id: field,
  channel: rec({ id: field }), member: rec({ user }), user, message: rec({ id: field }),
  data: rec({ id: field, name: field, type: field, options: list(option), custom_id: field, component_type: field, values: list(field) }),
}, { requiredKeys: ['type'] });

/** A sample with 1–3 fields (at any depth, arrays included) replaced by, or given, a hostile value. */
const mutated = mutatedSamples(SAMPLES, ['channel', 'member', 'user', 'message', 'values', 'options', 'value', 'name', 'custom_id', 'global_name', '__proto__'], field);

const payloads = fc.oneof(
  { arbitrary: mutated, weight: 4 }, { arbitrary: interaction, weight: 4 }, { arbitrary: hostile.filter((v) => v !== null && typeof v === 'object'), weight: 1 },
) as fc.Arbitrary<DiscordInteraction>;

/** A command's options as metadata: names to a value Discord sends (text, a number, a boolean) or nested options. */
function optionsProblem(options: unknown): string | undefined {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return 'metadata.options';
  for (const value of Object.values(options)) {
    if (value === undefined || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) continue;
    const nested = optionsProblem(value);
    if (nested) return nested;
  }
  return undefined;
}

/** What is wrong with a normalized message's types, if anything: strings where strings are promised. */
function messageProblem(m: NormalizedMessage): string | undefined {
  if (!isText(m.id) || m.id === '') return 'id';
  if (m.platform !== 'discord') return 'platform';
  if (!isText(m.conversationId) || m.conversationId === '') return 'conversationId';
  if (!m.from || !isText(m.from.id) || !optText(m.from.name)) return 'from';
  if (!optText(m.threadId) || !optText(m.replyToId)) return 'threadId/replyToId';
  if (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp)) return 'timestamp';
  const meta = m.metadata ?? {};
  for (const key of ['interactionToken', 'applicationId', 'guildId', 'customId']) if (!optText(meta[key])) return `metadata.${key}`;
  if (meta.options !== undefined && optionsProblem(meta.options)) return 'metadata.options';
  try { JSON.stringify(m); } catch { return 'not JSON'; }
  const c = m.content;
  if (c.type === 'command') return isText(c.command) && c.command !== '' && isText(c.text) ? undefined : 'command';
  if (c.type === 'interactive_reply') return isText(c.replyId) && c.replyId !== '' && optText(c.title) ? undefined : 'interactive_reply';
  return `unexpected content type ${String(c.type)}`;
}

const webhookOf = (payload: unknown): WebhookEvent<DiscordInteraction> => ({
  integration: 'discord', channelId: 'c', tenantId: 't', headers: {}, query: {}, rawBody: Buffer.from('{}'), payload: payload as DiscordInteraction, receivedAt: RECEIVED,
});

/** Every step of the integration that reads the payload, called directly; throws on a crash or a badly typed answer. */
function everyStep(payload: DiscordInteraction): void {
  const config = discord();
  const webhook = webhookOf(payload);
  const call = <R>(hook: ((this: never, w: WebhookEvent<DiscordInteraction>) => R) | undefined | false) => (hook ? onlyBadRequests(() => hook.call(undefined as never, webhook)) : undefined);
  const challenge = call(config.webhookChallenge);
  if (challenge !== undefined && JSON.stringify(challenge) !== '{"type":1}') throw new Error('challenge: not a PONG');
  call(config.eventId);
  const type = onlyBadRequests(() => discordEventType(payload));
  if (!optText(type)) throw new Error(`discordEventType: ${typeof type}`);
  if (!optText(call(config.eventType))) throw new Error('eventType: not text');
  for (const m of onlyBadRequests(() => normalizeDiscord(payload, RECEIVED)) ?? []) {
    const problem = messageProblem(m);
    if (problem) throw new Error(`normalizeDiscord: ${problem} is badly typed`);
  }
}

const config = discord();
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_KEY_HEX = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
const channel: IntegrationConfig = { id: 'c', tenantId: 't', platform: 'discord', credentials: {}, secrets: [PUBLIC_KEY_HEX], settings: {}, status: 'active' };
const fallbacks: string[] = [];
const pipeline: InboundPipeline = {
  integration: 'discord', platform: 'discord', lookupChannel: async () => channel, verify: schemeVerifier(config.webhookSignature!),
  challenge: config.webhookChallenge as InboundPipeline['challenge'],
  eventId: config.eventId as InboundPipeline['eventId'], normalize: config.normalize as InboundPipeline['normalize'],
  store: new MemoryStore(), publish: async () => undefined, receivedChannel: 'ns.processing.message.received',
  options: resolveInboundOptions('discord properties', config.inbound),
  answer: (webhook, stored, fallback) => answerStoredWebhook({
    answers: config.answers as never, eventType: config.eventType as never, timeoutMs: 1000, onFallback: (reason) => { fallbacks.push(reason); },
  }, webhook, stored, fallback),
};

/**
 * `payload` signed as Discord signs (Ed25519 over timestamp + body) and sent through the whole inbound pipeline
 * (fresh store): the status the gateway would answer — 200, a client error's 4xx, or 500 for anything else thrown.
 */
async function deliver(payload: unknown): Promise<{ status: number; answer?: unknown; error?: unknown }> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    'content-type': 'application/json', 'x-signature-timestamp': timestamp,
    'x-signature-ed25519': sign(null, Buffer.from(timestamp + body), privateKey).toString('hex'),
  };
  return pipelineOutcome(pipeline, body, headers, RECEIVED);
}

/** A sample interaction with `edit` applied to a copy. */
const edited = (sample: Record<string, unknown>, edit: (p: Record<string, any>) => void): DiscordInteraction => {
  const payload = structuredClone(sample);
  edit(payload);
  return payload as unknown as DiscordInteraction;
};
/** What a property run found in place of text: an object whose conversion to text throws. */
const HOSTILE = { toString: {} };
const subCommand = SAMPLES[5]!;

describe('discord: every step that reads the payload, on hostile interactions', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fallbacks.filter((r) => r === 'eventType threw')).toEqual([]);
  });

  it('property: the PING challenge, event id, event type and normalize never throw but a 400, and answer well-typed', () => {
    fc.assert(fc.property(payloads, (payload) => { everyStep(payload); }), { numRuns: RUNS });
  });

  it('property: the whole pipeline, signed with Ed25519, answers 200 or a 4xx — never a 500', async () => {
    await fc.assert(fc.asyncProperty(payloads, async (payload) => {
      const { status, error } = await deliver(payload);
      if (status === 500) throw error;
    }), { numRuns: Math.ceil(RUNS / 3) });
  });

  it('command options that are not a list of named options read as none (found by the property test: `.map` is not a function, a 500)', async () => {
    const broken = [{}, 'cardname', [null], [7, { type: 3, value: 'x' }]].map((options) => edited(command, (p) => { p.data.options = options; }));
    for (const payload of broken) {
      expect(normalizeDiscord(payload, RECEIVED)).toMatchObject([{ content: { type: 'command', command: 'cardsearch', text: '' }, metadata: { options: {} } }]);
      expect(await deliver(payload)).toMatchObject({ status: 200, answer: { type: 5 } });
    }
    const nested = edited(subCommand, (p) => { p.data.options[0].options = { key: 'lang' }; });
    expect(normalizeDiscord(nested, RECEIVED)).toMatchObject([{ content: { command: 'config', text: 'set' }, metadata: { options: { set: {} } } }]);
  });

  it('an option name or value that is not text, a number or a boolean reads as absent (a property run found `{"toString": {}}` crashing String() and Object.fromEntries)', async () => {
    const value = edited(command, (p) => { p.data.options[0].value = HOSTILE; });
    expect(normalizeDiscord(value, RECEIVED)).toMatchObject([{ content: { command: 'cardsearch', text: '' }, metadata: { options: { cardname: undefined } } }]);
    const name = edited(command, (p) => { p.data.options[0].name = HOSTILE; });
    expect(normalizeDiscord(name, RECEIVED)).toMatchObject([{ content: { command: 'cardsearch', text: '' }, metadata: { options: {} } }]);
    const deep = edited(subCommand, (p) => { p.data.options[0].options[1].value = [1, 2]; });
    expect(normalizeDiscord(deep, RECEIVED)).toMatchObject([{ content: { text: 'set lang' }, metadata: { options: { set: { key: 'lang', value: undefined } } } }]);
    for (const payload of [value, name, deep]) expect(await deliver(payload)).toMatchObject({ status: 200, answer: { type: 5 } });
  });

  it('an interaction id, channel or user id that is not text makes no message or reads as unknown (found by the property test: the pipeline refused the message with a 500)', async () => {
    const noId = edited(command, (p) => { delete p.id; });
    const channels = [HOSTILE, ['645027906669510667'], ''].map((c) => edited(command, (p) => { p.channel_id = c; }));
    for (const payload of [noId, ...channels]) expect(normalizeDiscord(payload, RECEIVED)).toEqual([]);
    const fromChannel = edited(command, (p) => { p.channel_id = 7; p.channel = { id: '645027906669510667' }; });
    expect(normalizeDiscord(fromChannel, RECEIVED)).toMatchObject([{ conversationId: '645027906669510667' }]);
    const user = edited(command, (p) => { p.member.user.id = 53908232506183680; p.member.user.username = HOSTILE; });
    expect(normalizeDiscord(user, RECEIVED)).toMatchObject([{ from: { id: 'unknown' } }]);
    expect(normalizeDiscord(user, RECEIVED)[0]!.from.name).toBeUndefined();
    for (const payload of [noId, ...channels, fromChannel, user]) expect((await deliver(payload)).status).toBe(200);
    // an id of another type is refused by the event id step (400) before normalize; read directly, it is no snowflake
    expect((await deliver(edited(command, (p) => { p.id = HOSTILE; }))).status).toBe(400);
    expect(normalizeDiscord(edited(command, (p) => { p.id = HOSTILE; }), RECEIVED)).toEqual([]);
    expect(snowflakeTime(HOSTILE, 42)).toBe(42);
  });

  it('an interaction type that is not a number names no event type (`{"toString": {}}` threw in the lookup, `"constructor"` named a function)', () => {
    for (const type of [HOSTILE, 'constructor', '__proto__', 'toString', '2', [2]]) {
      expect(discordEventType(edited(command, (p) => { p.type = type; }))).toBeUndefined();
    }
    expect(discordEventType(command as unknown as DiscordInteraction)).toBe('application_command');
  });

  it('metadata and reply fields that are not text read as absent: a message keeps the types it promises', () => {
    const meta = edited(component, (p) => { p.token = HOSTILE; p.application_id = 775799577604522054; p.guild_id = ['g']; p.message = { id: 5 }; });
    const [m] = normalizeDiscord(meta, RECEIVED);
    expect(m!.metadata).toEqual({ interactionToken: undefined, applicationId: undefined, customId: 'click_one' });
    expect(m!.replyToId).toBeUndefined();
    const select = edited(SAMPLES[4]!, (p) => { p.data.values = 'large'; });
    expect(normalizeDiscord(select, RECEIVED)[0]!.content).toEqual({ type: 'interactive_reply', replyId: 'size' });
    const values = edited(SAMPLES[4]!, (p) => { p.data.values = [HOSTILE]; });
    expect(normalizeDiscord(values, RECEIVED)[0]!.content).toEqual({ type: 'interactive_reply', replyId: 'size' });
    for (const bad of [HOSTILE, 7, ['click_one']]) expect(normalizeDiscord(edited(component, (p) => { p.data.custom_id = bad; }), RECEIVED)).toEqual([]);
    for (const bad of [HOSTILE, 7, ['cardsearch']]) expect(normalizeDiscord(edited(command, (p) => { p.data.name = bad; }), RECEIVED)).toEqual([]);
  });
});
