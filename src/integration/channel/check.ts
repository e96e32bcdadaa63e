/**
 * What a channel lookup (`getChannelConfig` or the registry) returned, checked before it is trusted: an
 * invalid config is the integration's bug — a `ConfigError` (500) naming the field, never "no active channel".
 */
import { ConfigError } from '../../errors';
import type { ChannelStatus, IntegrationConfig } from '../../types';

const STATUSES: readonly ChannelStatus[] = ['active', 'disabled'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first problem with `value` as an `IntegrationConfig`, as `[field, what is wrong]`; undefined when valid. */
export function channelConfigProblem(value: unknown): [field: string, problem: string] | undefined {
  if (!isObject(value)) return ['(config)', `must be an object or null, got ${Array.isArray(value) ? 'an array' : typeof value}`];
  if (typeof value.id !== 'string' || value.id === '') return ['id', 'must be a non-empty string'];
  if (typeof value.tenantId !== 'string' || value.tenantId === '') return ['tenantId', 'must be a non-empty string'];
  if (typeof value.platform !== 'string' || value.platform === '') return ['platform', 'must be a non-empty string'];
  if (!STATUSES.includes(value.status as ChannelStatus)) return ['status', `must be one of ${STATUSES.map((s) => `'${s}'`).join(', ')}, got ${String(JSON.stringify(value.status)).slice(0, 40)}`];
  if (!Array.isArray(value.secrets) || !value.secrets.every((s) => typeof s === 'string')) return ['secrets', 'must be an array of strings'];
  if (!isObject(value.credentials)) return ['credentials', 'must be an object'];
  if (!isObject(value.settings)) return ['settings', 'must be an object'];
  return undefined;
}

/**
 * Returns `value` when it is null (unknown channel) or a valid config; otherwise throws `ConfigError`
 * (500) whose message and `data.field` name the field (values of secrets and credentials never shown).
 */
export function checkChannelConfig(value: unknown, channelId: string, source = 'getChannelConfig'): IntegrationConfig | null {
  if (value === null || value === undefined) return null;
  const problem = channelConfigProblem(value);
  if (!problem) return value as IntegrationConfig;
  const [field, what] = problem;
  throw new ConfigError(`${source}("${channelId}") returned an invalid channel config: \`${field}\` ${what}`, { channelId, field });
}
