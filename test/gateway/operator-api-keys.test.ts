/** API keys: parsing `SWITCHBOARD_API_KEYS` (pairs or a JSON file), and authentication of Bearer headers. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticateApiKey, operatorOpenApi, operatorRouteSpecs, parseApiKeys } from '../../src/gateway';

const KEY_A = 'sk_test_aaaaaaaaaaaaaaaa';
const KEY_B = 'sk_test_bbbbbbbbbbbbbbbb';

describe('parseApiKeys', () => {
  it('reads key:tenant pairs (split at the last colon) and JSON files in two shapes', () => {
    const keys = parseApiKeys(`${KEY_A}:acme, ab:cd:efgh:ijklmnopq:globex`);
    expect(keys.map((k) => k.tenantId)).toEqual(['acme', 'globex']);
    expect(keys[0]!.id).toMatch(/^key_[0-9a-f]{12}$/);
    expect(JSON.stringify(keys)).not.toContain(KEY_A);
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ key: KEY_A, tenantId: 'acme', id: 'ci' }]));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ [KEY_B]: 'globex' }));
    expect(parseApiKeys(join(dir, 'a.json'))).toMatchObject([{ id: 'ci', tenantId: 'acme' }]);
    expect(parseApiKeys(join(dir, 'b.json'))).toMatchObject([{ tenantId: 'globex' }]);
    expect(parseApiKeys(undefined)).toEqual([]);
  });

  it.each([
    ['short:acme', /at least 16/],
    [`${KEY_A}`, /expected key:tenant/],
    [`${KEY_A}:bad tenant`, /tenant/],
    [`${KEY_A}:a,${KEY_A}:b`, /appears twice/],
    ['/nonexistent/keys.json', /cannot read JSON/],
  ])('rejects %j naming the variable, never the key', (value, message) => {
    expect(() => parseApiKeys(value)).toThrow(message);
    try { parseApiKeys(value); } catch (err) {
      expect((err as Error).message).toContain('SWITCHBOARD_API_KEYS');
      expect((err as Error).message).not.toContain(KEY_A);
    }
  });
});

describe('authenticateApiKey', () => {
  const keys = parseApiKeys(`${KEY_A}:acme,${KEY_B}:globex`);
  it('maps a Bearer key to its tenant', () => {
    expect(authenticateApiKey(keys, `Bearer ${KEY_B}`)).toEqual({ tenantId: 'globex', apiKeyId: keys[1]!.id });
    expect(authenticateApiKey(keys, `bearer ${KEY_A}`).tenantId).toBe('acme');
  });
  it.each([undefined, '', 'Bearer', 'Bearer ', `Basic ${KEY_A}`, `Bearer ${KEY_A}x`, `Bearer ${KEY_A.slice(0, -1)}`, `Bearer ${KEY_A} ${KEY_B}`, `${KEY_A}`])('401 for %j', (header) => {
    expect(() => authenticateApiKey(keys, header)).toThrow(expect.objectContaining({ code: 401 }));
  });
  it('401 for everything when no keys are configured', () => {
    expect(() => authenticateApiKey([], `Bearer ${KEY_A}`)).toThrow(expect.objectContaining({ code: 401 }));
  });
});

describe('OpenAPI document', () => {
  it('describes every operator route and the webhook routes, all /api operations keyed', () => {
    const doc = operatorOpenApi() as { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const spec of operatorRouteSpecs()) {
      const path = `/api${spec.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      const op = doc.paths[path]?.[spec.method.toLowerCase()];
      expect({ route: `${spec.method} ${path}`, found: op !== undefined }).toEqual({ route: `${spec.method} ${path}`, found: true });
      expect(op!.security).toEqual([{ apiKey: [] }]);
    }
    expect(doc.paths['/webhooks/{integration}/{channelId}']).toHaveProperty('post');
    expect(doc.paths['/webhooks/{integration}/{channelId}']).toHaveProperty('get');
  });
});
