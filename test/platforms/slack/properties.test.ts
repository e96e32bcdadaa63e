/**
 * Property: whatever a signed Slack request carries — an Events API callback, a slash command or a block action,
 * any field replaced by a hostile value (`{"toString": {}}`, arrays, numbers, null, long strings, `__proto__`
 * keys) — every step that reads the payload (url_verification, event id, event type, normalize, the answer)
 * answers or throws a 4xx, never a 500 (which Slack retries), and what it returns is well-typed.
 * `PROPERTY_RUNS=20000 npx jest test/platforms/slack/properties` runs more than the default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { answerStoredWebhook } from '../../../src/integration/inbound/answers';
import { slackUrlVerification } from '../../../src/integration/inbound/challenge';
import type { InboundPipeline } from '../../../src/integration/inbound/receive-webhook';
import { schemeVerifier } from '../../../src/integration/inbound/verify';
import { resolveInboundOptions } from '../../../src/integration/options';
import { normalizeSlack, slack, slackEventId, slackEventType, type SlackPayload } from '../../../src/platforms/slack';
import { MemoryStore } from '../../../src/store';
import type { IntegrationConfig, MessageContent, NormalizedMessage, WebhookEvent } from '../../../src/types';
import { fieldArbitraries, isText, mutatedSamples, onlyBadRequests, optText, pipelineOutcome } from '../shared/hostile';

const RUNS = Number(process.env.PROPERTY_RUNS) || 3000;
const RECEIVED = 1_700_000_000_000;
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '../../fixtures/slack', name), 'utf8'));
const slashForm = (): Record<string, unknown> => Object.fromEntries(new URLSearchParams(readFileSync(join(__dirname, '../../fixtures/slack/slash-command.form'), 'utf8')));
const FIXTURES = ['message.json', 'message-thread-reply.json', 'message-changed.json', 'message-deleted.json', 'file-share.json', 'app-mention.json', 'bot-message.json', 'reaction-added.json', 'url-verification.json'];
/** Every shape Slack posts: the Events API fixtures, a slash command, a block action (parsed and as the form's JSON text). */
const SAMPLES: Array<Record<string, unknown>> = [
  ...FIXTURES.map(fixture), slashForm(), { payload: fixture('block-actions.json') }, { payload: JSON.stringify(fixture('block-actions.json')) },
];

const { hostile, field, oneOf, rec, list } = fieldArbitraries(['C1', 'U1', 'T1', '1355517523.000005', '1355517524.000001', 'hello'], ['/', '1355517523.000005']);

const inner = { user: field, ts: field, text: field, thread_ts: field, bot_id: field, subtype: oneOf('bot_message', 'file_share') };
const file = rec({ id: field, name: field, title: field, mimetype: oneOf('image/gif', 'video/mp4', 'audio/ogg', 'application/pdf'), size: field, url_private: field });
const messageEvent = fc.record({
  type: oneOf('message', 'app_mention'), subtype: oneOf('message_changed', 'message_deleted', 'file_share', 'thread_broadcast', 'me_message', 'bot_message'),
  channel: field, channel_type: field, user: field, bot_id: field, text: field, ts: field, thread_ts: field, event_ts: field,
  files: list(file), message: rec(inner), previous_message: rec(inner), deleted_ts: field,
}, { requiredKeys: ['type', 'channel', 'ts'] });
const reactionEvent = fc.record({
  type: oneOf('reaction_added', 'reaction_removed'), user: field, reaction: field, item: rec({ type: oneOf('message', 'file'), channel: field, ts: field }), event_ts: field,
}, { requiredKeys: [] });
const eventCallback = fc.record({
  type: oneOf('event_callback'), token: field, team_id: field, api_app_id: field, event_id: field, event_time: field,
  event: fc.oneof(messageEvent, reactionEvent, field), authorizations: list(rec({ user_id: field, is_bot: oneOf(true, false) })),
}, { requiredKeys: ['type', 'event'] });
const urlVerification = fc.record({ type: oneOf('url_verification'), challenge: field, token: field }, { requiredKeys: [] });
const slashCommand = fc.record({
  command: oneOf('/weather'), text: field, channel_id: field, user_id: field, user_name: field, team_id: field, trigger_id: field, response_url: field,
}, { requiredKeys: [] });
const blockActions = fc.record({
  type: oneOf('block_actions'), trigger_id: field, response_url: field,
  user: rec({ id: field, username: field, name: field }), channel: rec({ id: field, name: field }),
  container: rec({ type: field, message_ts: field, channel_id: field, thread_ts: field }), message: rec({ ts: field, thread_ts: field }),
  actions: list(rec({
    action_id: field, block_id: field, type: field, value: field, action_ts: field,
    text: rec({ text: field }), selected_option: rec({ value: field, text: rec({ text: field }) }),
  })),
}, { requiredKeys: ['type'] });
const interaction = fc.record({ payload: fc.oneof(blockActions, blockActions.map((b) => JSON.stringify(b)), field) });

/** A sample with 1–3 fields (at any depth, arrays included) replaced by, or given, a hostile value. */
const mutated = mutatedSamples(SAMPLES, ['subtype', 'files', 'message', 'previous_message', 'deleted_ts', 'thread_ts', 'bot_id', 'item', 'user', 'channel', 'selected_option', 'text', '__proto__'], field);

const payloads = fc.oneof(
  { arbitrary: mutated, weight: 4 }, { arbitrary: eventCallback, weight: 3 }, { arbitrary: interaction, weight: 2 }, { arbitrary: slashCommand, weight: 1 },
  { arbitrary: urlVerification, weight: 1 }, { arbitrary: hostile.filter((v) => v !== null && typeof v === 'object'), weight: 1 },
) as fc.Arbitrary<SlackPayload>;

const MEDIA_KINDS = ['image', 'video', 'audio', 'voice', 'document', 'sticker'];

/** What is wrong with a content's types, if anything. */
function contentProblem(c: MessageContent): string | undefined {
  switch (c.type) {
    case 'text': return isText(c.text) ? undefined : 'text.text';
    case 'media':
      if (!MEDIA_KINDS.includes(c.kind)) return 'media.kind';
      if (![c.url, c.mediaId, c.mimeType, c.caption, c.fileName].every(optText)) return 'media text field';
      return c.size === undefined || Number.isFinite(c.size) ? undefined : 'media.size';
    case 'reaction': return isText(c.emoji) && isText(c.targetMessageId) ? undefined : 'reaction';
    case 'command': return isText(c.command) && isText(c.text) ? undefined : 'command';
    case 'interactive_reply': return isText(c.replyId) && optText(c.title) ? undefined : 'interactive_reply';
    case 'edit': return isText(c.targetMessageId) ? contentProblem(c.content) : 'edit.targetMessageId';
    case 'delete': return isText(c.targetMessageId) ? undefined : 'delete.targetMessageId';
    default: return `unexpected content type ${String(c.type)}`;
  }
}

/** What is wrong with a normalized message's types, if anything: strings where strings are promised. */
function messageProblem(m: NormalizedMessage): string | undefined {
  if (!isText(m.id) || m.id === '') return 'id';
  if (m.platform !== 'slack') return 'platform';
  if (!isText(m.conversationId) || m.conversationId === '') return 'conversationId';
  if (!m.from || !isText(m.from.id) || !optText(m.from.name)) return 'from';
  if (!optText(m.threadId) || !optText(m.replyToId)) return 'threadId/replyToId';
  if (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp)) return 'timestamp';
  if (!m.content || typeof m.content !== 'object') return 'content';
  const meta = m.metadata ?? {};
  for (const key of ['eventId', 'teamId', 'channelType', 'responseUrl', 'actionId', 'removedEmoji']) if (!optText(meta[key])) return `metadata.${key}`;
  try { JSON.stringify(m); } catch { return 'not JSON'; }
  return contentProblem(m.content);
}

const webhookOf = (payload: unknown): WebhookEvent<SlackPayload> => ({
  integration: 'slack', channelId: 'c', tenantId: 't', headers: {}, query: {}, rawBody: Buffer.from('{}'), payload: payload as SlackPayload, receivedAt: RECEIVED,
});

/** Every step of the integration that reads the payload, called directly; throws on a crash or a badly typed answer. */
function everyStep(payload: SlackPayload): void {
  const config = slack();
  const webhook = webhookOf(payload);
  const challenge = slackUrlVerification(webhook as WebhookEvent<unknown>);
  if (challenge !== undefined && !isText((challenge as { challenge?: unknown }).challenge)) throw new Error('challenge: not text');
  const id = onlyBadRequests(() => slackEventId(payload));
  if (!optText(id)) throw new Error(`slackEventId: ${typeof id}`);
  const type = onlyBadRequests(() => slackEventType(payload));
  if (!optText(type)) throw new Error(`slackEventType: ${typeof type}`);
  for (const m of onlyBadRequests(() => normalizeSlack(payload, RECEIVED)) ?? []) {
    const problem = messageProblem(m);
    if (problem) throw new Error(`normalizeSlack: ${problem} is badly typed`);
  }
  onlyBadRequests(() => config.eventId!.call(undefined as never, webhook));
  onlyBadRequests(() => config.eventType!.call(undefined as never, webhook));
  onlyBadRequests(() => config.normalize.call(undefined as never, webhook, undefined as never));
}

const config = slack();
const scheme = config.webhookSignature!;
const channel: IntegrationConfig = { id: 'c', tenantId: 't', platform: 'slack', credentials: {}, secrets: ['signing-secret'], settings: {}, status: 'active' };
const fallbacks: string[] = [];
const pipeline: InboundPipeline = {
  integration: 'slack', platform: 'slack', lookupChannel: async () => channel, verify: schemeVerifier(scheme), challenge: slackUrlVerification,
  eventId: config.eventId as InboundPipeline['eventId'], normalize: config.normalize as InboundPipeline['normalize'],
  store: new MemoryStore(), publish: async () => undefined, receivedChannel: 'ns.processing.message.received',
  options: resolveInboundOptions('slack properties', config.inbound),
  answer: (webhook, stored, fallback) => answerStoredWebhook({
    answers: config.answers as never, eventType: config.eventType as never, timeoutMs: 1000, onFallback: (reason) => { fallbacks.push(reason); },
  }, webhook, stored, fallback),
};
/** A form body as Slack sends one: each field's text, a list as the field repeated, anything else as JSON. */
function formOf(payload: Record<string, unknown>): string {
  const form = new URLSearchParams();
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  for (const [key, value] of Object.entries(payload)) for (const v of Array.isArray(value) ? value : [value]) form.append(key, text(v));
  return form.toString();
}

/** `payload` signed and sent through the whole inbound pipeline (as JSON or a form): what the gateway would answer. */
async function deliver(payload: unknown, asForm = false): Promise<{ status: number; error?: unknown }> {
  const body = asForm ? formOf(payload as Record<string, unknown>) : JSON.stringify(payload);
  const headers = { 'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json', ...scheme.sign({ rawBody: body, secret: 'signing-secret' }) };
  return pipelineOutcome(pipeline, body, headers, RECEIVED);
}

/** A fixture with `edit` applied to a copy. */
const edited = (name: string, edit: (p: Record<string, any>) => void): SlackPayload => {
  const payload = name === 'slash-command.form' ? slashForm() : fixture(name);
  edit(payload);
  return payload as SlackPayload;
};
/** What a property run found in place of text: an object whose conversion to text throws. */
const HOSTILE = { toString: {} };

describe('slack: every step that reads the payload, on hostile payloads', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fallbacks.filter((r) => r === 'eventType threw')).toEqual([]);
  });

  it('property: url_verification, event id, event type and normalize never throw but a 400, and answer well-typed', () => {
    fc.assert(fc.property(payloads, (payload) => { everyStep(payload); }), { numRuns: RUNS });
  });

  it('property: the whole pipeline, signed and sent as JSON or a form, answers 200 or a 4xx — never a 500', async () => {
    await fc.assert(fc.asyncProperty(payloads, fc.boolean(), async (payload, asForm) => {
      const { status, error } = await deliver(payload, asForm);
      if (status === 500) throw error;
    }), { numRuns: Math.ceil(RUNS / 3) });
  });

  it('a ts, deleted ts or reaction field that is not text reads as absent (a property run found `{"toString": {}}` crashing Number() and the id templates: a 500 Slack retries)', async () => {
    const noTs = edited('message.json', (p) => { p.event.ts = HOSTILE; });
    const deleted = edited('message-deleted.json', (p) => { p.event.deleted_ts = HOSTILE; });
    const changed = edited('message-changed.json', (p) => { p.event.message.ts = HOSTILE; });
    const reactionTs = edited('reaction-added.json', (p) => { p.event.item.ts = HOSTILE; });
    const reactionName = edited('reaction-added.json', (p) => { p.event.reaction = HOSTILE; });
    const reactionUser = edited('reaction-added.json', (p) => { p.event.user = HOSTILE; });
    const reactionTime = edited('reaction-added.json', (p) => { p.event.event_ts = HOSTILE; });
    for (const payload of [noTs, deleted, changed, reactionTs, reactionName]) expect(normalizeSlack(payload, RECEIVED)).toEqual([]);
    expect(normalizeSlack(reactionUser, RECEIVED)).toMatchObject([{ from: { id: 'unknown' }, content: { emoji: 'thumbsup' } }]);
    expect(normalizeSlack(reactionTime, RECEIVED)).toMatchObject([{ timestamp: RECEIVED, content: { emoji: 'thumbsup' } }]);
    for (const payload of [noTs, deleted, changed, reactionTs, reactionName, reactionUser, reactionTime]) expect((await deliver(payload)).status).toBe(200);
  });

  it('authorizations, files and actions that are not lists (or hold null) read as empty (found by the property test: `.find`/`.map` is not a function, a 500)', async () => {
    const authorizations = [{}, 'U061F7AUR', [null]].map((a) => edited('message.json', (p) => { p.authorizations = a; }));
    for (const payload of authorizations) expect(normalizeSlack(payload, RECEIVED)).toMatchObject([{ content: { type: 'text', text: 'Hello world' } }]);
    const files = [{}, 'F1', [null]].map((f) => edited('file-share.json', (p) => { p.event.files = f; }));
    for (const payload of files) expect(normalizeSlack(payload, RECEIVED)).toMatchObject([{ content: { type: 'text', text: 'the chart' } }]);
    const mime = edited('file-share.json', (p) => { p.event.files[0].mimetype = HOSTILE; });
    expect(normalizeSlack(mime, RECEIVED)[0]!.content).toEqual({ type: 'media', kind: 'document', mediaId: 'F0123ABC456', url: expect.any(String), fileName: 'tedair.gif', size: 137531, caption: 'the chart' });
    const actions = [undefined, {}, 'x', [null]].map((a) => ({ payload: { ...fixture('block-actions.json'), actions: a } }) as SlackPayload);
    for (const payload of actions) expect(normalizeSlack(payload, RECEIVED)).toEqual([]);
    const noUser = { payload: { ...fixture('block-actions.json'), user: undefined } } as SlackPayload;
    expect(normalizeSlack(noUser, RECEIVED)).toMatchObject([{ from: { id: 'unknown' }, content: { replyId: 'click_me_123' } }]);
    const noItem = [undefined, null].map((item) => edited('reaction-added.json', (p) => { p.event.item = item; }));
    for (const payload of noItem) expect(normalizeSlack(payload, RECEIVED)).toEqual([]);
    for (const payload of [...authorizations, ...files, mime, ...actions, noUser, ...noItem]) expect((await deliver(payload)).status).toBe(200);
  });

  it('ids that are not text make no message, and a user id that is not text reads as unknown (found by the property test: the pipeline refused the message with a 500)', async () => {
    const noChannel = [undefined, HOSTILE, ['C1']].map((c) => edited('message.json', (p) => { p.event.channel = c; }));
    const noTs = edited('message.json', (p) => { delete p.event.ts; });
    const emptyTrigger = edited('slash-command.form', (p) => { p.trigger_id = ''; });
    const actionChannel = { payload: { ...fixture('block-actions.json'), channel: { id: ['C1'] }, container: {} } } as SlackPayload;
    const noTrigger = { payload: { ...fixture('block-actions.json'), trigger_id: HOSTILE } } as SlackPayload;
    for (const payload of [...noChannel, noTs, emptyTrigger, actionChannel, noTrigger]) expect(normalizeSlack(payload, RECEIVED)).toEqual([]);
    const noUser = edited('slash-command.form', (p) => { delete p.user_id; });
    expect(normalizeSlack(noUser, RECEIVED)).toMatchObject([{ from: { id: 'unknown', name: 'Steve' }, content: { command: 'weather' } }]);
    const actionUser = { payload: { ...fixture('block-actions.json'), user: { id: 7, name: HOSTILE, username: 'jtorrance' } } } as SlackPayload;
    expect(normalizeSlack(actionUser, RECEIVED)).toMatchObject([{ from: { id: 'unknown', name: 'jtorrance' } }]);
    for (const payload of [...noChannel, noTs, actionChannel, noTrigger, actionUser]) expect((await deliver(payload)).status).toBe(200);
    expect((await deliver(noUser, true)).status).toBe(200);
    expect((await deliver(emptyTrigger, true)).status).toBe(400); // the event id step refuses an empty id first
  });

  it('text fields that are not text read as absent: a message keeps the types it promises (text, thread, edit target, reply id, metadata)', () => {
    const text = edited('message-thread-reply.json', (p) => { p.event.text = HOSTILE; p.event.thread_ts = 7; p.event_id = ['Ev1']; p.team_id = HOSTILE; });
    const [m] = normalizeSlack(text, RECEIVED);
    expect(m!.content).toEqual({ type: 'text', text: '' });
    expect(m!.metadata).toEqual({ eventId: undefined, channelType: 'channel' });
    expect(m!.threadId).toBeUndefined();
    const edit = edited('message-changed.json', (p) => { p.event.message.text = HOSTILE; p.event.message.thread_ts = ['x']; });
    expect(normalizeSlack(edit, RECEIVED)).toMatchObject([{ content: { type: 'edit', targetMessageId: '1355517523.000005', content: { type: 'text', text: '' } } }]);
    expect(normalizeSlack(edit, RECEIVED)[0]!.threadId).toBeUndefined();
    const inner = fixture('block-actions.json') as Record<string, any>;
    const action = { ...inner, message: { ts: 5 }, container: {}, actions: [{ ...inner.actions[0], value: { toString: '' }, text: { text: HOSTILE } }] };
    expect(normalizeSlack({ payload: action } as SlackPayload, RECEIVED)).toMatchObject([{ content: { type: 'interactive_reply', replyId: 'WaXA' } }]);
    expect(normalizeSlack({ payload: action } as SlackPayload, RECEIVED)[0]!.replyToId).toBeUndefined();
    const command = edited('slash-command.form', (p) => { p.text = ['a', 'b']; p.response_url = HOSTILE; });
    expect(normalizeSlack(command, RECEIVED)).toMatchObject([{ content: { type: 'command', command: 'weather', text: '' }, metadata: { teamId: 'T0001' } }]);
    expect(normalizeSlack(command, RECEIVED)[0]!.metadata!.responseUrl).toBeUndefined();
  });

  it('the event id and event type are text or absent (an interaction\'s trigger_id or an event\'s type of another type read as absent)', () => {
    expect(slackEventId({ payload: { ...fixture('block-actions.json'), trigger_id: HOSTILE } })).toBeUndefined();
    expect(slackEventId({ payload: { ...fixture('block-actions.json'), trigger_id: 7 } })).toBeUndefined();
    expect(slackEventType({ type: 'event_callback', event: { type: HOSTILE } } as SlackPayload)).toBeUndefined();
    expect(slackEventType({ type: 'event_callback', event: { type: 7 } } as unknown as SlackPayload)).toBeUndefined();
    expect(slackEventType(fixture('message.json') as SlackPayload)).toBe('message');
  });
});
