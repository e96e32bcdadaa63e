/** Operator API keys: parsed from `SWITCHBOARD_API_KEYS` (`key:tenant,...` or a JSON file), each scoped to one tenant, checked in constant time. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, UnauthorizedError } from '../errors';
import { constantTimeEqual } from '../security/compare';

const VARIABLE = 'SWITCHBOARD_API_KEYS';
/** Keys shorter than this are refused at start: 16 characters. */
export const MIN_API_KEY_LENGTH = 16;
const TENANT = /^[A-Za-z0-9_-]{1,128}$/;

/** One configured key: who it acts for. The key itself is kept only as a SHA-256 digest. */
export interface ApiKey {
  /** A stable, non-secret id for logs and `ctx.meta.apiKeyId`: `key_` + 12 hex of the key's SHA-256 (or the configured `id`). */
  id: string;
  tenantId: string;
  digest: Buffer;
}

/** Who a request acts for, once its key is recognised. */
export interface ApiPrincipal {
  tenantId: string;
  apiKeyId: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function makeKey(key: unknown, tenantId: unknown, where: string, id?: unknown): ApiKey {
  if (typeof key !== 'string' || key.length < MIN_API_KEY_LENGTH || /\s/.test(key)) {
    throw new ConfigError(`${VARIABLE}${where}: a key must be at least ${MIN_API_KEY_LENGTH} characters without spaces`, { variable: VARIABLE });
  }
  if (typeof tenantId !== 'string' || !TENANT.test(tenantId)) {
    throw new ConfigError(`${VARIABLE}${where}: the tenant must be 1-128 characters of letters, digits, '_' or '-'`, { variable: VARIABLE });
  }
  if (id !== undefined && (typeof id !== 'string' || !TENANT.test(id))) {
    throw new ConfigError(`${VARIABLE}${where}: \`id\` must be 1-128 characters of letters, digits, '_' or '-'`, { variable: VARIABLE });
  }
  const digest = sha256(key);
  return { id: (id as string | undefined) ?? `key_${digest.toString('hex').slice(0, 12)}`, tenantId, digest };
}

/**
 * Parses `SWITCHBOARD_API_KEYS`: `key:tenant[,key:tenant...]` (split at the last `:`), or a path to a
 * JSON file holding `[{ "key": "...", "tenantId": "...", "id"?: "..." }]` or `{ "<key>": "<tenant>" }`.
 * Throws `ConfigError` naming the variable (never the key). Unset or empty → no keys (every `/api` call is 401).
 */
export function parseApiKeys(value: string | undefined): ApiKey[] {
  if (value === undefined || value.trim() === '') return [];
  const text = value.trim();
  let keys: ApiKey[];
  if (text.startsWith('/') || text.startsWith('.') || text.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(text, 'utf8'));
    } catch (err) {
      throw new ConfigError(`${VARIABLE}: cannot read JSON from the file ${text}: ${(err as Error).message}`, { variable: VARIABLE }, err);
    }
    if (Array.isArray(parsed)) {
      keys = parsed.map((item, i) => {
        const entry = (item ?? {}) as { key?: unknown; tenantId?: unknown; id?: unknown };
        return makeKey(entry.key, entry.tenantId, `[${i}]`, entry.id);
      });
    } else if (parsed && typeof parsed === 'object') {
      keys = Object.entries(parsed as Record<string, unknown>).map(([key, tenant], i) => makeKey(key, tenant, `[${i}]`));
    } else {
      throw new ConfigError(`${VARIABLE}: the file ${text} must hold an array of { key, tenantId } or an object { key: tenant }`, { variable: VARIABLE });
    }
  } else {
    keys = text.split(',').map((pair, i) => {
      const at = pair.lastIndexOf(':');
      if (at <= 0) throw new ConfigError(`${VARIABLE}[${i}]: expected key:tenant`, { variable: VARIABLE });
      return makeKey(pair.slice(0, at).trim(), pair.slice(at + 1).trim(), `[${i}]`);
    });
  }
  const seen = new Set<string>();
  for (const k of keys) {
    const hex = k.digest.toString('hex');
    if (seen.has(hex)) throw new ConfigError(`${VARIABLE}: the same key appears twice (${k.id})`, { variable: VARIABLE });
    seen.add(hex);
  }
  return keys;
}

/**
 * The principal for an `Authorization` header, or `UnauthorizedError` (401) when the header is
 * missing, not `Bearer <key>`, or the key is unknown. Every configured key is compared (constant
 * time, over SHA-256 digests of equal length), so the timing says nothing about which key was close.
 */
export function authenticate(keys: readonly ApiKey[], authorization: string | string[] | undefined): ApiPrincipal {
  const header = Array.isArray(authorization) ? undefined : authorization;
  const match = header ? /^Bearer[ ]+(\S+)[ ]*$/i.exec(header) : null;
  if (!match) throw new UnauthorizedError('an API key is required: Authorization: Bearer <key>');
  const presented = sha256(match[1]!);
  let found: ApiKey | undefined;
  for (const key of keys) if (constantTimeEqual(presented, key.digest) && !found) found = key;
  if (!found) throw new UnauthorizedError('unknown API key');
  return { tenantId: found.tenantId, apiKeyId: found.id };
}
