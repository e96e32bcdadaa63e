/** OutboundMessage → Bot API request (method and exact params); Bot API answers and errors → SendResult / typed errors, against the fake Bot API. */
import { ERROR_TYPES } from '../../../src/errors';
import { apiBaseUrlOf, callBotApi, TelegramApiError } from '../../../src/platforms/telegram/api';
import { sendResultOf, sendTelegramMessage, toBotApiRequest } from '../../../src/platforms/telegram/send';
import type { TelegramChannel } from '../../../src/platforms/telegram/types';
import { classifyFailure, executeWithRetry, retryAfterFromError } from '../../../src/retry';
import type { OutboundMessage } from '../../../src/types';
import { ANSWERS, startFakeBotApi, type FakeBotApi } from './fake-bot-api';
import { failure } from './helpers';

const TOKEN = '123456789:AAF-secret_token_value_0123456789';
const channel = (settings: Record<string, unknown> = {}): TelegramChannel =>
  ({ id: 'bot', tenantId: 't', platform: 'telegram', credentials: { botToken: TOKEN }, secrets: ['s3cret'], settings, status: 'active' });
const to = (content: OutboundMessage['content'], extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ conversationId: '1111111', content, ...extra });

describe('toBotApiRequest', () => {
  it('text: sendMessage with parse_mode (message over channel), reply_parameters, topic', () => {
    expect(toBotApiRequest(to({ type: 'text', text: '*hi*' }, { replyToId: '1365', threadId: '900', metadata: { parseMode: 'MarkdownV2' } }), channel({ parseMode: 'HTML' }))).toEqual({
      method: 'sendMessage',
      params: { chat_id: '1111111', text: '*hi*', parse_mode: 'MarkdownV2', message_thread_id: 900, reply_parameters: { message_id: 1365, allow_sending_without_reply: true } },
    });
    expect(toBotApiRequest(to({ type: 'text', text: '<b>x</b>' }), channel({ parseMode: 'HTML' })).params).toEqual({ chat_id: '1111111', text: '<b>x</b>', parse_mode: 'HTML' });
  });

  it('interactive: inline keyboard, one button per row, callback_data = button id', () => {
    const request = toBotApiRequest(to({ type: 'interactive', text: 'Confirm?', buttons: [{ id: 'order:confirm', title: 'Yes' }, { id: 'order:cancel', title: 'No' }] }), channel());
    expect(request).toEqual({ method: 'sendMessage', params: { chat_id: '1111111', text: 'Confirm?', reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'order:confirm' }], [{ text: 'No', callback_data: 'order:cancel' }]] } } });
    expect(() => toBotApiRequest(to({ type: 'interactive', text: 'x', buttons: [{ id: 'x'.repeat(65), title: 'long' }] }), channel())).toThrow(/64-byte/);
  });

  it('media: sendPhoto / sendDocument by URL or file_id, with caption', () => {
    expect(toBotApiRequest(to({ type: 'media', kind: 'image', url: 'https://example.com/a.jpg', caption: 'receipt' }), channel()))
      .toEqual({ method: 'sendPhoto', params: { chat_id: '1111111', photo: 'https://example.com/a.jpg', caption: 'receipt' } });
    expect(toBotApiRequest(to({ type: 'media', kind: 'document', mediaId: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' }), channel()))
      .toEqual({ method: 'sendDocument', params: { chat_id: '1111111', document: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' } });
    expect(toBotApiRequest(to({ type: 'media', kind: 'voice', mediaId: 'v' }), channel()).method).toBe('sendVoice');
    expect(() => toBotApiRequest(to({ type: 'media', kind: 'image' }), channel())).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('typing: sendChatAction; reaction, edit, delete, location, venue, contact', () => {
    expect(toBotApiRequest(to({ type: 'typing' }), channel())).toEqual({ method: 'sendChatAction', params: { chat_id: '1111111', action: 'typing' } });
    expect(toBotApiRequest(to({ type: 'reaction', emoji: '\u{1F44D}', targetMessageId: '1365' }), channel())).toEqual({ method: 'setMessageReaction', params: { chat_id: '1111111', message_id: 1365, reaction: [{ type: 'emoji', emoji: '\u{1F44D}' }] } });
    expect(toBotApiRequest(to({ type: 'edit', targetMessageId: '1365@1441646600', content: { type: 'text', text: 'fixed' } }), channel()).params).toEqual({ chat_id: '1111111', message_id: 1365, text: 'fixed' });
    expect(toBotApiRequest(to({ type: 'delete', targetMessageId: '7' }), channel())).toEqual({ method: 'deleteMessage', params: { chat_id: '1111111', message_id: 7 } });
    expect(toBotApiRequest(to({ type: 'location', latitude: 1, longitude: 2 }), channel()).method).toBe('sendLocation');
    expect(toBotApiRequest(to({ type: 'location', latitude: 1, longitude: 2, name: 'A', address: 'B' }), channel()).method).toBe('sendVenue');
    expect(toBotApiRequest(to({ type: 'contact', contacts: [{ name: 'Ann', phones: ['+1555'] }] }), channel()).params).toEqual({ chat_id: '1111111', phone_number: '+1555', first_name: 'Ann' });
  });

  it('what Telegram cannot send is a 400 before any call (template, unknown, no chat)', () => {
    expect(() => toBotApiRequest(to({ type: 'template', name: 'x', language: 'en_US' }), channel())).toThrow(expect.objectContaining({ code: 400, type: ERROR_TYPES.BAD_REQUEST }));
    expect(() => toBotApiRequest({ conversationId: '', content: { type: 'text', text: 'x' } }, channel())).toThrow(/conversationId/);
    expect(() => toBotApiRequest(to({ type: 'text', text: 'x' }, { replyToId: 'not-a-number' }), channel())).toThrow(/not a Telegram message id/);
  });

  it('metadata.telegram adds Bot API params, never chat_id', () => {
    expect(toBotApiRequest(to({ type: 'text', text: 'x' }, { metadata: { telegram: { disable_notification: true, chat_id: 'elsewhere' } } }), channel()).params)
      .toEqual({ chat_id: '1111111', text: 'x', disable_notification: true });
  });

  it('sendResultOf: the sent message id, or the target / a synthetic id for `true` answers', () => {
    expect(sendResultOf({ method: 'sendMessage', params: { chat_id: '1' } }, { message_id: 2001, date: 5 })).toEqual({ messageId: '2001', metadata: { chatId: '1', method: 'sendMessage', date: 5 } });
    expect(sendResultOf({ method: 'deleteMessage', params: { chat_id: '1', message_id: 7 } }, true).messageId).toBe('7');
    expect(sendResultOf({ method: 'sendChatAction', params: { chat_id: '1' } }, true).messageId).toBe('sendChatAction:1');
  });
});

describe('the Bot API client against the fake Bot API', () => {
  let api: FakeBotApi;
  beforeAll(async () => { api = await startFakeBotApi(); api.addBot(TOKEN); });
  afterAll(async () => { await api.close(); });
  const local = () => channel({ apiBaseUrl: api.url });
  const call = { allowPrivateNetworks: true };

  it('sends to <apiBaseUrl>/bot<token>/sendMessage and returns the message id', async () => {
    const result = await sendTelegramMessage(to({ type: 'text', text: 'hello' }), local(), call);
    const last = api.calls.at(-1)!;
    expect(last).toMatchObject({ token: TOKEN, method: 'sendMessage', body: { chat_id: '1111111', text: 'hello' } });
    expect(result.messageId).toMatch(/^\d+$/);
  });

  it('429: retryable, Telegram\'s parameters.retry_after as the wait (no hook needed)', async () => {
    api.fail(TOKEN, 'sendMessage', ANSWERS.tooManyRequests!);
    const err = await failure<TelegramApiError>(callBotApi(local(), 'sendMessage', { chat_id: 1, text: 'x' }, call));
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(err).toMatchObject({ retryable: true, type: ERROR_TYPES.PLATFORM_ERROR, data: { status: 429, retryAfterMs: 1000, reason: 'rate_limited' } });
    expect(classifyFailure(err)).toBe('retryable');
    expect(retryAfterFromError(err)).toBe(1000);
  });

  it('executeWithRetry waits retry_after then sends (injected sleep records the wait)', async () => {
    api.fail(TOKEN, 'sendMessage', ANSWERS.tooManyRequests!);
    const waits: number[] = [];
    const result = await executeWithRetry(({ signal }) => sendTelegramMessage(to({ type: 'text', text: 'after wait' }), local(), { ...call, signal }), { sleep: async (ms) => { waits.push(ms); } });
    expect(waits).toEqual([1000]);
    expect(result.messageId).toMatch(/^\d+$/);
  });

  it('403 bot blocked and 400 chat not found: permanent, with the reason; a migrated group names its new id', async () => {
    api.fail(TOKEN, 'sendMessage', ANSWERS.botBlocked!, ANSWERS.chatNotFound!, ANSWERS.migrated!);
    const blocked = await failure<TelegramApiError>(callBotApi(local(), 'sendMessage', {}, call));
    expect(blocked.message).toBe('telegram sendMessage: Forbidden: bot was blocked by the user (403)');
    expect(blocked).toMatchObject({ retryable: false, data: { status: 403, reason: 'bot_blocked' } });
    expect(classifyFailure(blocked)).toBe('fatal');
    await expect(callBotApi(local(), 'sendMessage', {}, call)).rejects.toMatchObject({ data: { status: 400, reason: 'chat_not_found' } });
    await expect(callBotApi(local(), 'sendMessage', {}, call)).rejects.toMatchObject({ data: { status: 400, reason: 'chat_migrated', migrateToChatId: '-1001234567890' } });
  });

  it('an unknown token: 401, and the token appears in no error', async () => {
    const other = { ...local(), credentials: { botToken: '999:AAnot-a-real-token-000' } };
    const err = await failure<TelegramApiError>(callBotApi(other, 'getMe', {}, call));
    expect(err).toMatchObject({ data: { status: 401, reason: 'unauthorized' } });
    expect(JSON.stringify({ m: err.message, d: err.data })).not.toContain('AAnot-a-real-token');
  });

  it('the loopback fake is refused unless private networks are allowed (SSRF guard on apiBaseUrl)', async () => {
    await expect(callBotApi(local(), 'getMe', {})).rejects.toMatchObject({ type: ERROR_TYPES.UNSAFE_URL });
  });

  it('apiBaseUrl must be an origin; botToken must look like one — ConfigError naming the field, never the value', async () => {
    expect(apiBaseUrlOf(channel())).toBe('https://api.telegram.org');
    expect(apiBaseUrlOf(channel({ apiBaseUrl: 'http://127.0.0.1:4010/' }))).toBe('http://127.0.0.1:4010');
    expect(() => apiBaseUrlOf(channel({ apiBaseUrl: 'http://127.0.0.1:4010/bot' }))).toThrow(/settings\.apiBaseUrl must be an http\(s\) origin/);
    expect(() => apiBaseUrlOf(channel({ apiBaseUrl: 'ftp://x' }))).toThrow(/apiBaseUrl/);
    const bad = { ...channel(), credentials: { botToken: 'oops' } };
    const err = await failure(sendTelegramMessage(to({ type: 'text', text: 'x' }), bad));
    expect(err).toMatchObject({ type: ERROR_TYPES.CONFIG_INVALID, message: expect.stringMatching(/credentials\.botToken/) });
    expect(err.message).not.toContain('oops');
  });
});
