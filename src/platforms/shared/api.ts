/** What every shipped platform shares: its API base (a channel's `settings.apiBaseUrl`) and the guarded fetch to it. */
import type { Service } from 'moleculer';
import { ConfigError } from '../../errors';
import { guardedFetch, type GuardedRequestInit } from '../../security';
import { runtimeOf } from '../../store';
import type { IntegrationConfig } from '../../types';

/**
 * The API origin (and path prefix) of a channel: `settings.apiBaseUrl` when set (tests point it at a local
 * fake platform), else the platform's default. A trailing slash is dropped.
 */
export function apiBase(channel: IntegrationConfig, fallback: string): string {
  const configured = channel.settings.apiBaseUrl;
  if (configured === undefined || configured === null || configured === '') return fallback.replace(/\/+$/, '');
  if (typeof configured !== 'string' || !/^https?:\/\//.test(configured)) {
    throw new ConfigError(`channel ${channel.id}: settings.apiBaseUrl must be an http(s) URL such as ${fallback}`, { channelId: channel.id, option: 'settings.apiBaseUrl' });
  }
  return configured.replace(/\/+$/, '');
}

/** A credential the platform needs, or a `ConfigError` naming the field. */
export function credential(channel: IntegrationConfig, name: string): string {
  const value = channel.credentials[name];
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`channel ${channel.id}: credentials.${name} is not set`, { channelId: channel.id, option: `credentials.${name}` });
  }
  return value;
}

/**
 * `fetch` to a platform URL. `settings.apiBaseUrl` is tenant-controlled, so the URL goes through the SSRF
 * guard (checked on the address dialled): internal addresses are refused unless `SWITCHBOARD_ALLOW_PRIVATE_URLS=true`;
 * the refusal's detail goes to the service's log, never to the caller.
 */
export function platformFetch(service: Service, url: string, init: GuardedRequestInit): Promise<Response> {
  return guardedFetch(url, init, {
    allowPrivateNetworks: runtimeOf(service.broker).allowPrivateNetworks,
    onRefused: (detail) => service.logger.warn(`platform URL refused: ${detail}`),
  });
}
