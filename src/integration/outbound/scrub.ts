/** Keeps a channel's credentials and secrets out of anything returned to a caller. */
import type { IntegrationConfig } from '../../types';

const REDACTED = '[redacted]';

function secretValues(channel: IntegrationConfig): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (depth > 8) return;
    if (typeof value === 'string' && value.length >= 4) out.add(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v, depth + 1);
  };
  walk(channel.credentials, 0);
  walk(channel.secrets, 0);
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * A copy of `value` in which every string containing one of the channel's credential or secret
 * values has it replaced by `[redacted]` (hooks may echo what they were given; callers never see it).
 */
export function scrubSecrets<T>(value: T, channel: IntegrationConfig): T {
  const secrets = secretValues(channel);
  if (secrets.length === 0) return value;
  const clean = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return secrets.reduce((s, secret) => (s.includes(secret) ? s.split(secret).join(REDACTED) : s), v);
    if (depth > 16 || !v || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => clean(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clean(x, depth + 1);
    return out;
  };
  return clean(value, 0) as T;
}
