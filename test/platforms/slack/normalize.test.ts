/** Slack payloads from Slack's docs (test/fixtures/slack, source in each file) → normalized messages, field by field. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeSlack, slackEventId } from '../../../src/platforms/slack';
import type { SlackPayload } from '../../../src/platforms/slack';

const fixture = (name: string): SlackPayload => JSON.parse(readFileSync(join(__dirname, '../../fixtures/slack', name), 'utf8'));
/** A form body as the gateway parses it (a flat object of strings). */
const form = (name: string): SlackPayload => Object.fromEntries(new URLSearchParams(readFileSync(join(__dirname, '../../fixtures/slack', name), 'utf8')));
const RECEIVED = 1_700_000_000_000;

describe('normalizeSlack', () => {
  it('a channel message: ts as id, channel as conversation, user, text, time from ts', () => {
    const [m, ...rest] = normalizeSlack(fixture('message.json'), RECEIVED);
    expect(rest).toHaveLength(0);
    expect(m.id).toBe('1355517523.000005');
    expect(m.platform).toBe('slack');
    expect(m.conversationId).toBe('C123ABC456');
    expect(m.from).toEqual({ id: 'U123ABC456' });
    expect(m.timestamp).toBe(1355517523000);
    expect(m.content).toEqual({ type: 'text', text: 'Hello world' });
    expect(m.threadId).toBeUndefined();
    expect(m.metadata).toMatchObject({ eventId: 'Ev123ABC456', teamId: 'T123ABC456', channelType: 'channel' });
  });

  it('a thread reply carries threadId = thread_ts', () => {
    const [m] = normalizeSlack(fixture('message-thread-reply.json'), RECEIVED);
    expect(m.threadId).toBe('1482960137.003540');
    expect(m.id).toBe('1482960137.003543');
    expect(m.from.id).toBe('U222BBB222');
  });

  it('message_changed is an edit of the original ts with the new text', () => {
    const [m] = normalizeSlack(fixture('message-changed.json'), RECEIVED);
    expect(m.content).toEqual({ type: 'edit', targetMessageId: '1355517523.000005', content: { type: 'text', text: 'Hello, world!' } });
    expect(m.from.id).toBe('U123ABC456');
    expect(m.id).not.toBe('1355517523.000005'); // the edit is its own message, not the original's id
  });

  it('message_deleted is a delete of deleted_ts', () => {
    const [m] = normalizeSlack(fixture('message-deleted.json'), RECEIVED);
    expect(m.content).toEqual({ type: 'delete', targetMessageId: '1358878749.000002' });
    expect(m.from.id).toBe('U123ABC456');
  });

  it('file_share: a media message with the file id, url, mime type, name, size and the text as caption', () => {
    const [m, ...rest] = normalizeSlack(fixture('file-share.json'), RECEIVED);
    expect(rest).toHaveLength(0);
    expect(m.content).toEqual({
      type: 'media', kind: 'image', mediaId: 'F0123ABC456', url: 'https://files.slack.com/files-pri/T0123ABC456-F0123ABC456/tedair.gif',
      mimeType: 'image/gif', fileName: 'tedair.gif', size: 137531, caption: 'the chart',
    });
  });

  it('app_mention is a text message', () => {
    const [m] = normalizeSlack(fixture('app-mention.json'), RECEIVED);
    expect(m.content).toEqual({ type: 'text', text: 'What is the hour of the pearl, <@U0LAN0Z89>?' });
    expect(m.conversationId).toBe('C123ABC456');
  });

  it('bot messages, and the app\'s own messages, give nothing (answering them would loop)', () => {
    expect(normalizeSlack(fixture('bot-message.json'), RECEIVED)).toEqual([]);
    const own = fixture('message.json');
    (own.event as { user: string }).user = 'U061F7AUR'; // authorizations[0].user_id: the bot user
    expect(normalizeSlack(own, RECEIVED)).toEqual([]);
  });

  it('reaction_added is a reaction on the item\'s ts; reaction_removed has an empty emoji', () => {
    const [m] = normalizeSlack(fixture('reaction-added.json'), RECEIVED);
    expect(m.content).toEqual({ type: 'reaction', emoji: 'thumbsup', targetMessageId: '1360782400.498405' });
    expect(m.conversationId).toBe('C123ABC456');
    const removed = fixture('reaction-added.json');
    (removed.event as { type: string }).type = 'reaction_removed';
    const [r] = normalizeSlack(removed, RECEIVED);
    expect(r.content).toEqual({ type: 'reaction', emoji: '', targetMessageId: '1360782400.498405' });
    expect(r.id).not.toBe(m.id);
  });

  it('a slash command (form body) is a command without the slash, its text, the trigger id as id', () => {
    const [m] = normalizeSlack(form('slash-command.form'), RECEIVED);
    expect(m.content).toEqual({ type: 'command', command: 'weather', text: '94070' });
    expect(m.id).toBe('13345224609.738474920.8088930838d88f008e0');
    expect(m.conversationId).toBe('C2147483705');
    expect(m.from).toEqual({ id: 'U2147483697', name: 'Steve' });
    expect(m.metadata).toMatchObject({ responseUrl: 'https://hooks.slack.com/commands/1234/5678' });
  });

  it('block_actions (the form\'s payload field, as a JSON string or already parsed) is an interactive reply', () => {
    const inner = fixture('block-actions.json');
    for (const payload of [{ payload: JSON.stringify(inner) }, { payload: inner }]) {
      const [m] = normalizeSlack(payload as SlackPayload, RECEIVED);
      expect(m.content).toEqual({ type: 'interactive_reply', replyId: 'click_me_123', title: 'View' });
      expect(m.conversationId).toBe('CBR2V3XEX');
      expect(m.replyToId).toBe('1548261231.000200');
      expect(m.from).toEqual({ id: 'UA8RXUSPL', name: 'jtorrance' });
      expect(m.timestamp).toBe(1548426417840);
    }
  });

  it('url_verification and unknown events carry no message; a broken payload field is ignored', () => {
    expect(normalizeSlack(fixture('url-verification.json'), RECEIVED)).toEqual([]);
    expect(normalizeSlack({ type: 'event_callback', event_id: 'E1', event: { type: 'team_join' } } as SlackPayload, RECEIVED)).toEqual([]);
    expect(normalizeSlack({ payload: '{not json' }, RECEIVED)).toEqual([]);
  });
});

describe('slackEventId', () => {
  it('event_id for events, trigger_id for commands and interactions', () => {
    expect(slackEventId(fixture('message.json'))).toBe('Ev123ABC456');
    expect(slackEventId(form('slash-command.form'))).toBe('13345224609.738474920.8088930838d88f008e0');
    expect(slackEventId({ payload: JSON.stringify(fixture('block-actions.json')) })).toBe('12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3');
    expect(slackEventId({ type: 'url_verification' })).toBeUndefined();
  });
});
