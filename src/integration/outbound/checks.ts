/** `i_healthCheck` and `i_validateCredentials`: the integration's hook under a timeout, or a default; secrets scrubbed from the answer. */
import { TimeoutError } from '../../errors';
import { guardedFetch, type OutboundUrlPolicy } from '../../security';
import type { IntegrationConfig } from '../../types';
import type { ChannelHealth, CredentialsCheck } from '../types';
import { scrubSecrets } from './scrub';

/** Resolves with `promise`, or rejects with `TimeoutError` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`, { timeoutMs: ms })), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL the default health check probes: the first http(s) URL among `settings.healthUrl`, `baseUrl`, `apiBase`, `outboundUrl`. */
export function probeUrl(channel: IntegrationConfig): string | undefined {
  for (const key of ['healthUrl', 'baseUrl', 'apiBase', 'outboundUrl']) {
    const value = channel.settings[key];
    if (typeof value === 'string' && /^https?:\/\//.test(value)) return value;
  }
  return undefined;
}

/**
 * The default health check: reachability. Any HTTP answer from the probe URL (even 4xx) means the
 * platform is reachable; a network error or the timeout means it is not. Without a URL to probe,
 * the channel counts as healthy (it resolved and is active) with `details.probed: false`.
 */
export async function defaultHealth(channel: IntegrationConfig, timeoutMs: number, policy: OutboundUrlPolicy = {}): Promise<ChannelHealth> {
  const url = probeUrl(channel);
  if (!url) return { healthy: true, message: 'channel active; no URL to probe (set settings.healthUrl)', details: { probed: false } };
  const started = Date.now();
  try {
    // The probe URL is the tenant's: internal addresses are refused (UnsafeUrlError) unless the policy allows them.
    const response = await guardedFetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) }, policy);
    await response.body?.cancel().catch(() => undefined);
    return { healthy: true, message: `reachable (HTTP ${response.status})`, latencyMs: Date.now() - started, details: { probed: true, status: response.status } };
  } catch (err) {
    return { healthy: false, message: `unreachable: ${(err as Error).message}`, latencyMs: Date.now() - started, details: { probed: true } };
  }
}

/** Runs a health hook (or the default) under the timeout; a throw or timeout is reported unhealthy, never as an error. */
export async function runHealthCheck(
  channel: IntegrationConfig, timeoutMs: number, hook?: () => Promise<ChannelHealth>, policy: OutboundUrlPolicy = {},
): Promise<ChannelHealth & { channelId: string }> {
  const started = Date.now();
  let health: ChannelHealth;
  try {
    health = await withTimeout(hook ? hook() : defaultHealth(channel, timeoutMs, policy), timeoutMs, 'health check');
  } catch (err) {
    health = { healthy: false, message: (err as Error).message, latencyMs: Date.now() - started };
  }
  return scrubSecrets({ channelId: channel.id, ...health, healthy: health.healthy === true }, channel);
}

/**
 * Runs a credentials hook under the timeout. Without a hook, credentials are only checked to be
 * present. The answer never carries a credential or secret value.
 */
export async function runCredentialsCheck(channel: IntegrationConfig, timeoutMs: number, hook?: () => Promise<CredentialsCheck>): Promise<CredentialsCheck & { channelId: string; checked: boolean }> {
  if (!hook) {
    const present = Object.keys(channel.credentials).length > 0;
    return { channelId: channel.id, valid: present, checked: false, message: present ? 'credentials present; not checked against the platform (no validateCredentials hook)' : 'no credentials set' };
  }
  let check: CredentialsCheck;
  try {
    check = await withTimeout(hook(), timeoutMs, 'credentials check');
  } catch (err) {
    check = { valid: false, message: (err as Error).message };
  }
  return scrubSecrets({ channelId: channel.id, valid: check.valid === true, checked: true, ...(check.message ? { message: check.message } : {}) }, channel);
}
