/** Discord interactions from Discord's docs (test/fixtures/discord, source in each file) → messages; outbound → REST calls; 429 waits. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discordCall, discordMessageId, discordRetryAfterMs, normalizeDiscord, snowflakeTime } from '../../../src/platforms/discord';
import type { DiscordInteraction } from '../../../src/platforms/discord';

const fixture = (name: string): DiscordInteraction => JSON.parse(readFileSync(join(__dirname, '../../fixtures/discord', name), 'utf8'));
const RECEIVED = 1_700_000_000_000;

describe('normalizeDiscord', () => {
  it('an application command: command name, option values as text, the interaction id, channel, member, time from the snowflake', () => {
    const [m, ...rest] = normalizeDiscord(fixture('application-command.json'), RECEIVED);
    expect(rest).toHaveLength(0);
    expect(m.content).toEqual({ type: 'command', command: 'cardsearch', text: 'The Gitrog Monster' });
    expect(m.id).toBe('786008729715212338');
    expect(m.platform).toBe('discord');
    expect(m.conversationId).toBe('645027906669510667');
    expect(m.from).toEqual({ id: '53908232506183680', name: 'Mason' });
    expect(m.timestamp).toBe(snowflakeTime('786008729715212338', 0));
    expect(new Date(m.timestamp).toISOString()).toBe('2020-12-08T23:18:04.500Z');
    expect(m.metadata).toMatchObject({ interactionToken: 'A_UNIQUE_TOKEN', applicationId: '775799577604522054', guildId: '290926798626357999', options: { cardname: 'The Gitrog Monster' } });
  });

  it('in a DM the user comes from `user` (global name first)', () => {
    const [m] = normalizeDiscord(fixture('dm-command.json'), RECEIVED);
    expect(m.from).toEqual({ id: '53908232506183680', name: 'Mason B' });
    expect(m.content).toEqual({ type: 'command', command: 'ping', text: '' });
  });

  it('a message component (button) is an interactive reply to the message it was on', () => {
    const [m] = normalizeDiscord(fixture('message-component.json'), RECEIVED);
    expect(m.content).toEqual({ type: 'interactive_reply', replyId: 'click_one' });
    expect(m.replyToId).toBe('846462638757642270');
    expect(m.metadata).toMatchObject({ customId: 'click_one', interactionToken: 'A_COMPONENT_TOKEN' });
  });

  it('a select menu answers with the chosen value; sub-command options flatten', () => {
    const select = { ...fixture('message-component.json'), data: { custom_id: 'size', component_type: 3, values: ['large'] } };
    expect(normalizeDiscord(select, RECEIVED)[0].content).toEqual({ type: 'interactive_reply', replyId: 'large' });
    const sub = { ...fixture('application-command.json'), data: { name: 'config', type: 1, options: [{ name: 'set', type: 1, options: [{ name: 'key', type: 3, value: 'lang' }, { name: 'value', type: 3, value: 'fr' }] }] } };
    expect(normalizeDiscord(sub, RECEIVED)[0].content).toEqual({ type: 'command', command: 'config', text: 'set lang fr' });
  });

  it('snowflake time: Discord\'s documented example 175928847299117063 is 2016-04-30 11:18:25.796 UTC', () => {
    // https://discord.com/developers/docs/reference#snowflakes
    expect(new Date(snowflakeTime('175928847299117063', 0)).toISOString()).toBe('2016-04-30T11:18:25.796Z');
    expect(snowflakeTime('not-a-snowflake', 42)).toBe(42);
  });

  it('a PING carries no message', () => {
    expect(normalizeDiscord(fixture('ping.json'), RECEIVED)).toEqual([]);
  });
});

describe('discordCall', () => {
  const reply = { interactionToken: 'TOK', applicationId: '77' };
  it('a reply to an interaction completes the deferred response, without the bot token', () => {
    expect(discordCall({ conversationId: 'C', metadata: reply, content: { type: 'text', text: 'done' } }))
      .toEqual({ method: 'PATCH', path: '/webhooks/77/TOK/messages/@original', body: { content: 'done' }, bot: false });
    expect(discordCall({ conversationId: 'C', metadata: { ...reply, followUp: true }, content: { type: 'text', text: 'more' } }))
      .toEqual({ method: 'POST', path: '/webhooks/77/TOK?wait=true', body: { content: 'more' }, bot: false });
  });

  it('a channel message with the bot token; replyToId → message_reference; buttons → an action row', () => {
    const call = discordCall({ conversationId: 'C1', replyToId: 'M1', content: { type: 'interactive', text: 'Pick', buttons: [{ id: 'a', title: 'A' }] } });
    expect(call).toEqual({
      method: 'POST', path: '/channels/C1/messages', bot: true,
      body: { content: 'Pick', components: [{ type: 1, components: [{ type: 2, style: 1, label: 'A', custom_id: 'a' }] }], message_reference: { message_id: 'M1' } },
    });
  });

  it('reaction (emoji URL-encoded), edit, delete, typing', () => {
    expect(discordCall({ conversationId: 'C1', content: { type: 'reaction', emoji: '👍', targetMessageId: 'M1' } }).path).toBe('/channels/C1/messages/M1/reactions/%F0%9F%91%8D/@me');
    expect(discordCall({ conversationId: 'C1', content: { type: 'edit', targetMessageId: 'M1', content: { type: 'text', text: 'x' } } })).toMatchObject({ method: 'PATCH', path: '/channels/C1/messages/M1', body: { content: 'x' } });
    expect(discordCall({ conversationId: 'C1', content: { type: 'delete', targetMessageId: 'M1' } })).toMatchObject({ method: 'DELETE', path: '/channels/C1/messages/M1' });
    expect(discordCall({ conversationId: 'C1', content: { type: 'typing' } })).toMatchObject({ method: 'POST', path: '/channels/C1/typing' });
  });

  it('content Discord cannot take → 400; the message id falls back to the target', () => {
    expect(() => discordCall({ conversationId: 'C1', content: { type: 'template', name: 't', language: 'en' } })).toThrow(/template/);
    const message = { conversationId: 'C1', content: { type: 'reaction' as const, emoji: 'x', targetMessageId: 'M9' } };
    expect(discordMessageId(discordCall(message), undefined, message)).toBe('M9');
    expect(discordMessageId(discordCall(message), { id: 'N1' }, message)).toBe('N1');
  });
});

describe('discordRetryAfterMs', () => {
  it('the body\'s fractional retry_after first, then X-RateLimit-Reset-After, then Retry-After', () => {
    expect(discordRetryAfterMs({ message: 'You are being rate limited.', retry_after: 0.314, global: false }, new Headers())).toBe(314);
    expect(discordRetryAfterMs({}, new Headers({ 'x-ratelimit-reset-after': '1.5' }))).toBe(1500);
    expect(discordRetryAfterMs(undefined, new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(discordRetryAfterMs(undefined, new Headers())).toBeUndefined();
  });
});
