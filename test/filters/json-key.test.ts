/** JSON-key filters: paths, deep equality, prototype safety, odd payloads, combinators. */
import { ConfigError } from '../../src/errors';
import { allOf, anyOf, jsonKeyEquals, jsonKeyExists, jsonKeyIn, noneOf, parseJsonKeyPath } from '../../src/filters';

const received = {
  platform: 'whatsapp',
  message: { content: { type: 'text', text: 'hi' }, tags: ['a', { kind: 'vip', level: 2 }], replyTo: null, count: 0 },
  items: [{ id: 'x1', qty: 2 }, { id: 'x2', qty: 0 }],
};

describe('parseJsonKeyPath', () => {
  it('splits dot notation', () => {
    expect(parseJsonKeyPath('message.content.type')).toEqual(['message', 'content', 'type']);
    expect(parseJsonKeyPath('a.0.b')).toEqual(['a', '0', 'b']);
  });

  it.each(['', '.', 'a.', '.a', 'a..b', '__proto__', 'a.__proto__.b', 'constructor', 'a.constructor.prototype', 'prototype.x'])(
    'rejects %j with a ConfigError naming the option',
    (path) => {
      expect(() => parseJsonKeyPath(path)).toThrow(ConfigError);
      try {
        parseJsonKeyPath(path);
      } catch (err) {
        expect((err as ConfigError).data).toMatchObject({ option: 'path' });
      }
    },
  );

  it('rejects non-strings', () => {
    expect(() => jsonKeyEquals(undefined as unknown as string, 1)).toThrow(ConfigError);
    expect(() => jsonKeyExists(['a'] as unknown as string)).toThrow(ConfigError);
  });
});

describe('jsonKeyEquals', () => {
  it('matches primitives along a dotted path', () => {
    expect(jsonKeyEquals('message.content.type', 'text')(received)).toBe(true);
    expect(jsonKeyEquals('message.content.type', 'image')(received)).toBe(false);
    expect(jsonKeyEquals('platform', 'whatsapp')(received)).toBe(true);
  });

  it('does not coerce types', () => {
    expect(jsonKeyEquals('message.count', 0)(received)).toBe(true);
    expect(jsonKeyEquals('message.count', '0')(received)).toBe(false);
    expect(jsonKeyEquals('message.count', false)(received)).toBe(false);
    expect(jsonKeyEquals('message.count', null)(received)).toBe(false);
    expect(jsonKeyEquals('message.replyTo', null)(received)).toBe(true);
    expect(jsonKeyEquals('message.replyTo', undefined)(received)).toBe(false);
  });

  it('indexes arrays', () => {
    expect(jsonKeyEquals('items.1.id', 'x2')(received)).toBe(true);
    expect(jsonKeyEquals('message.tags.1.kind', 'vip')(received)).toBe(true);
    expect(jsonKeyEquals('items.2.id', 'x2')(received)).toBe(false);
    expect(jsonKeyEquals('items.01.id', 'x2')(received)).toBe(false);
    expect(jsonKeyEquals('items.-1.id', 'x2')(received)).toBe(false);
  });

  it('compares objects and arrays deeply, key order ignored', () => {
    expect(jsonKeyEquals('message.content', { text: 'hi', type: 'text' })(received)).toBe(true);
    expect(jsonKeyEquals('message.content', { type: 'text' })(received)).toBe(false);
    expect(jsonKeyEquals('message.content', { type: 'text', text: 'hi', extra: 1 })(received)).toBe(false);
    expect(jsonKeyEquals('message.tags', ['a', { level: 2, kind: 'vip' }])(received)).toBe(true);
    expect(jsonKeyEquals('message.tags', [{ level: 2, kind: 'vip' }, 'a'])(received)).toBe(false);
    expect(jsonKeyEquals('message.tags', { 0: 'a', 1: { kind: 'vip', level: 2 } })(received)).toBe(false);
    expect(jsonKeyEquals('items', [{ id: 'x1', qty: 2 }, { id: 'x2', qty: 0 }])(received)).toBe(true);
  });

  it('is not fooled by a mutation of the payload between calls', () => {
    const filter = jsonKeyEquals('a.b', 1);
    const payload = { a: { b: 1 } };
    expect(filter(payload)).toBe(true);
    payload.a.b = 2;
    expect(filter(payload)).toBe(false);
  });
});

describe('jsonKeyIn', () => {
  it('matches any listed value, deeply', () => {
    expect(jsonKeyIn('message.content.type', ['image', 'text'])(received)).toBe(true);
    expect(jsonKeyIn('message.content.type', ['image', 'video'])(received)).toBe(false);
    expect(jsonKeyIn('message.content', [{ type: 'text', text: 'hi' }])(received)).toBe(true);
    expect(jsonKeyIn('message.count', ['0', false, null])(received)).toBe(false);
  });

  it('matches nothing with an empty list, and keeps its own copy of the list', () => {
    expect(jsonKeyIn('platform', [])(received)).toBe(false);
    const values = ['whatsapp'];
    const filter = jsonKeyIn('platform', values);
    values.length = 0;
    expect(filter(received)).toBe(true);
  });

  it('rejects a values argument that is not an array', () => {
    expect(() => jsonKeyIn('platform', 'whatsapp' as unknown as string[])).toThrow(ConfigError);
  });
});

describe('jsonKeyExists', () => {
  it('is true for present keys, including null and falsy values', () => {
    expect(jsonKeyExists('message.content.text')(received)).toBe(true);
    expect(jsonKeyExists('message.replyTo')(received)).toBe(true);
    expect(jsonKeyExists('message.count')(received)).toBe(true);
    expect(jsonKeyExists('items.0')(received)).toBe(true);
  });

  it('is false for absent keys, keys under null, and undefined values', () => {
    expect(jsonKeyExists('message.content.media')(received)).toBe(false);
    expect(jsonKeyExists('message.replyTo.id')(received)).toBe(false);
    expect(jsonKeyExists('a')({ a: undefined })).toBe(false);
    expect(jsonKeyExists('items.5')(received)).toBe(false);
  });
});

describe('prototype safety', () => {
  it('never reads inherited properties', () => {
    expect(jsonKeyExists('toString')({})).toBe(false);
    expect(jsonKeyExists('hasOwnProperty')({ a: 1 })).toBe(false);
    expect(jsonKeyExists('a.valueOf')({ a: {} })).toBe(false);
    expect(jsonKeyEquals('a.length', 2)({ a: [1, 2] })).toBe(false);
    expect(jsonKeyExists('a.map')({ a: [] })).toBe(false);
    expect(jsonKeyExists('length')('abc')).toBe(false);
    const child = Object.create({ inherited: 'yes' }) as Record<string, unknown>;
    expect(jsonKeyEquals('inherited', 'yes')(child)).toBe(false);
  });

  it('does not see through a JSON __proto__ key, and pollutes nothing', () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true, "type": "admin"}, "constructor": {"prototype": {"x": 1}}}') as unknown;
    expect(jsonKeyExists('polluted')(payload)).toBe(false);
    expect(jsonKeyEquals('type', 'admin')(payload)).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('matches own keys of null-prototype objects', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { type: 'text' });
    expect(jsonKeyEquals('type', 'text')(bare)).toBe(true);
  });

  it('never calls getters', () => {
    let called = false;
    const payload = Object.defineProperty({}, 'a', { enumerable: true, get: () => { called = true; return 1; } });
    expect(jsonKeyEquals('a', 1)(payload)).toBe(false);
    expect(jsonKeyExists('a')(payload)).toBe(false);
    expect(called).toBe(false);
  });
});

describe('odd payloads never throw', () => {
  const cyclic: Record<string, unknown> = { type: 'text' };
  cyclic.self = cyclic;
  const hostile = new Proxy({}, { getOwnPropertyDescriptor: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); } });

  it.each([
    ['undefined', undefined], ['null', null], ['a number', 42], ['a string', '{"type":"text"}'], ['a Buffer', Buffer.from('{"type":"text"}')],
    ['an array', [1, 2]], ['a function', () => 1], ['a symbol', Symbol('x')], ['a bigint', 10n], ['a hostile proxy', hostile],
  ])('%s → false', (_label, payload) => {
    expect(jsonKeyEquals('type', 'text')(payload)).toBe(false);
    expect(jsonKeyIn('type', ['text'])(payload)).toBe(false);
    expect(jsonKeyExists('type')(payload)).toBe(false);
  });

  it('follows cycles by path and compares cyclic values without hanging', () => {
    expect(jsonKeyEquals('self.self.self.type', 'text')(cyclic)).toBe(true);
    const other: Record<string, unknown> = { type: 'text' };
    other.self = other;
    expect(jsonKeyEquals('self', other)(cyclic)).toBe(true);
    const different: Record<string, unknown> = { type: 'image' };
    different.self = different;
    expect(jsonKeyEquals('self', different)(cyclic)).toBe(false);
  });

  it('compares against a hostile value without throwing', () => {
    expect(jsonKeyEquals('a', hostile)({ a: { b: 1 } })).toBe(false);
  });

  it('handles deep nesting without a stack overflow on lookup', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i += 1) deep = { n: deep };
    const path = `${'n.'.repeat(10_000)}leaf`;
    expect(jsonKeyEquals(path, true)(deep)).toBe(true);
    expect(jsonKeyExists('n.n.n.missing')(deep)).toBe(false);
  });
});

describe('allOf / anyOf / noneOf', () => {
  const isText = jsonKeyEquals('message.content.type', 'text');
  const isWhatsapp = jsonKeyEquals('platform', 'whatsapp');
  const isSlack = jsonKeyEquals('platform', 'slack');

  it('combine filters', () => {
    expect(allOf(isText, isWhatsapp)(received)).toBe(true);
    expect(allOf(isText, isSlack)(received)).toBe(false);
    expect(anyOf(isSlack, isText)(received)).toBe(true);
    expect(anyOf(isSlack)(received)).toBe(false);
    expect(noneOf(isSlack)(received)).toBe(true);
    expect(noneOf(isSlack, isText)(received)).toBe(false);
    expect(allOf(anyOf(isSlack, isWhatsapp), noneOf(jsonKeyExists('message.content.media')))(received)).toBe(true);
  });

  it('have the usual empty cases', () => {
    expect(allOf()(received)).toBe(true);
    expect(anyOf()(received)).toBe(false);
    expect(noneOf()(received)).toBe(true);
  });

  it('reject non-functions when built', () => {
    expect(() => allOf('x' as never)).toThrow(ConfigError);
    expect(() => anyOf(isText, undefined as never)).toThrow(ConfigError);
  });
});
