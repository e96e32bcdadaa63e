/**
 * Redis connection strings: a plain `redis://` / `rediss://` URL, or a Sentinel set written as
 * `redis+sentinel://[user:password@]host:26379[,host:26379...]/<master name>[/<db>][?sentinelPassword=...&tls=true]`,
 * which ioredis takes as `{ sentinels, name }`.
 */
import type { RedisOptions } from 'ioredis';
import { ConfigError } from '../errors';

export const SENTINEL_SCHEME = 'redis+sentinel';
const DEFAULT_SENTINEL_PORT = 26379;

/** True when `url` names a Sentinel set. */
export function isSentinelUrl(url: string): boolean {
  return url.trim().toLowerCase().startsWith(`${SENTINEL_SCHEME}://`);
}

/** Parses a `redis+sentinel://` URL into ioredis options; throws `ConfigError` naming `variable`. */
export function parseSentinelUrl(url: string, variable = 'REDIS_URL'): RedisOptions {
  const fail = (why: string): never => {
    throw new ConfigError(`${variable}: ${why}. Expected ${SENTINEL_SCHEME}://[user:password@]host:26379[,host:26379...]/<master name>[/<db>].`, { variable });
  };
  const rest = url.trim().slice(SENTINEL_SCHEME.length + 3);
  const q = rest.indexOf('?');
  const [main, query] = q < 0 ? [rest, ''] : [rest.slice(0, q), rest.slice(q + 1)];
  const slash = main.indexOf('/');
  if (slash < 0) fail('the master name is missing');
  const authority = main.slice(0, slash);
  const path = main.slice(slash + 1).split('/').filter(Boolean);
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at);
  const hosts = (at < 0 ? authority : authority.slice(at + 1)).split(',').map((h) => h.trim()).filter(Boolean);
  if (hosts.length === 0) fail('no sentinel host given');
  const sentinels = hosts.map((h) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
    if (!m) return fail(`"${h}" is not host[:port]`);
    const port = m[2] === undefined ? DEFAULT_SENTINEL_PORT : Number(m[2]);
    if (port < 1 || port > 65535) fail(`port of "${h}" is out of range`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
  const name = path[0] ? decodeURIComponent(path[0]) : fail('the master name is missing');
  const options: RedisOptions = { sentinels, name };
  if (path[1] !== undefined) {
    if (!/^\d{1,2}$/.test(path[1])) fail(`database "${path[1]}" must be a number`);
    options.db = Number(path[1]);
  }
  if (userinfo) {
    const colon = userinfo.indexOf(':');
    const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
    if (user) options.username = user;
    if (password) options.password = password;
  }
  const params = new URLSearchParams(query);
  for (const key of params.keys()) if (key !== 'sentinelPassword' && key !== 'tls') fail(`unknown parameter "${key}" (known: sentinelPassword, tls)`);
  const sp = params.get('sentinelPassword');
  if (sp) options.sentinelPassword = sp;
  const tls = params.get('tls');
  if (tls !== null && tls !== 'true' && tls !== 'false') fail('tls must be true or false');
  if (tls === 'true') { options.tls = {}; options.enableTLSForSentinelMode = true; }
  return options;
}

/** `url` trimmed, once it parses as a Sentinel URL (throws `ConfigError` naming `variable` otherwise). */
export function checkedSentinelUrl(url: string, variable: string): string {
  parseSentinelUrl(url, variable);
  return url.trim();
}

/** What `new Redis(...)` (or Moleculer's Redis cacher `redis:` option) takes for a connection string. */
export function redisConnection(url: string): string | RedisOptions {
  return isSentinelUrl(url) ? parseSentinelUrl(url) : url;
}
