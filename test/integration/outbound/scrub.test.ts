/** Unit tests — scrubbing a channel's credentials out of answers, events and errors (issue 8.1). */
import { Errors } from 'moleculer';
import { scrubError, scrubSecrets } from '../../../src/integration/outbound/scrub';
import type { IntegrationConfig } from '../../../src/types';

const TOKEN = '123456:SECRET-bot-token';
const channel: IntegrationConfig = { id: 'c', tenantId: 't', platform: 'p', credentials: { token: TOKEN, nested: { key: 'KEY-VALUE-1' } }, secrets: ['whsec_SECRETVALUE'], settings: {}, status: 'active' };
const leaks = (v: unknown) => /SECRET-bot-token|KEY-VALUE-1|whsec_SECRETVALUE|123456%3ASECRET/.test(JSON.stringify(v) + String((v as { stack?: unknown })?.stack ?? ''));

describe('scrubSecrets', () => {
  it('values, object keys, URL-encoded spellings, arrays, at any depth', () => {
    let deep: unknown = { leaf: `Bearer ${TOKEN}` };
    for (let i = 0; i < 100; i++) deep = [deep];
    const out = scrubSecrets({ id: `Bearer ${TOKEN}`, [TOKEN]: 1, url: `/send?token=${encodeURIComponent(TOKEN)}`, list: ['KEY-VALUE-1'], deep, n: 1, ok: 'plain' }, channel);
    expect(leaks(out)).toBe(false);
    expect(out).toMatchObject({ id: 'Bearer [redacted]', '[redacted]': 1, url: '/send?token=[redacted]', list: ['[redacted]'], n: 1, ok: 'plain' });
  });
  it('objects with toJSON are scrubbed as they would serialize', () => {
    const out = scrubSecrets({ when: new Date(0), odd: { toJSON: () => ({ t: TOKEN }) } }, channel);
    expect(out).toEqual({ when: '1970-01-01T00:00:00.000Z', odd: { t: '[redacted]' } });
  });
});

describe('scrubError', () => {
  it('message, name, type, string code, data, stack and the cause chain', () => {
    const cause = new Error(`socket said ${TOKEN}`);
    const err = new Errors.MoleculerClientError(`platform answered ${TOKEN}`, 409, `Bearer ${TOKEN}`, { body: { [TOKEN]: 'whsec_SECRETVALUE' } });
    Object.defineProperty(err, 'cause', { value: cause, enumerable: false });
    const clean = scrubError(err, channel, { attempts: 2 });
    const cleanCause = (clean as { cause?: Error }).cause!;
    expect(leaks({ message: clean.message, name: clean.name, type: clean.type, data: clean.data, stack: clean.stack })).toBe(false);
    expect(leaks({ message: cleanCause.message, stack: cleanCause.stack })).toBe(false);
    expect(clean.type).toBe('Bearer [redacted]');
    // a new error of the same class, fields kept, `data` extended where it has no such field
    expect(clean).not.toBe(err);
    expect(clean).toBeInstanceOf(Errors.MoleculerClientError);
    expect(clean).toMatchObject({ code: 409, name: 'MoleculerClientError', data: { attempts: 2 } });
    expect(Object.keys(clean).sort()).toEqual(Object.keys(err).sort());
    // the error given is untouched
    expect(err.message).toBe(`platform answered ${TOKEN}`);
    expect(cause.message).toBe(`socket said ${TOKEN}`);
    expect(leaks(err.data)).toBe(true);
  });

  it('leaves a non-object as it is, and keeps a data attempts count already there', () => {
    expect(scrubError('plain', channel)).toBe('plain');
    const err = new Errors.MoleculerRetryableError('x', 503, 'RETRY_EXHAUSTED', { attempts: 4 });
    expect(scrubError(err, channel, { attempts: 9 }).data).toEqual({ attempts: 4 });
  });
});
