/** A WhatsApp channel's credentials and settings, read and checked (a missing one is a `ConfigError` naming it), and the Graph API URLs. */
import { ConfigError } from '../../errors';
import type { IntegrationConfig } from '../../types';
import type { WhatsAppTemplate } from './types';

/** The Graph API origin: `https://graph.facebook.com`. A channel's `settings.apiBaseUrl` replaces it. */
export const DEFAULT_WHATSAPP_API_BASE_URL = 'https://graph.facebook.com';
/** The Graph API version used when a channel does not set `settings.apiVersion`: `v21.0`. */
export const DEFAULT_WHATSAPP_API_VERSION = 'v21.0';

const API_VERSION = /^v\d{1,3}\.\d{1,3}$/;

/** What sending through one channel needs. */
export interface WhatsAppApi {
  /** `<origin>/<version>`, no trailing slash. */
  base: string;
  accessToken: string;
  phoneNumberId: string;
  windowTemplate?: WhatsAppTemplate;
}

function fail(channel: IntegrationConfig, field: string, what: string): never {
  throw new ConfigError(`whatsapp channel "${channel.id}": ${field} ${what}`, { channelId: channel.id, field });
}

/** The channel's `settings.windowTemplate`, checked; undefined when unset. */
export function windowTemplateOf(channel: IntegrationConfig): WhatsAppTemplate | undefined {
  const t = channel.settings.windowTemplate as Partial<WhatsAppTemplate> | undefined | null;
  if (t === undefined || t === null) return undefined;
  if (typeof t !== 'object' || typeof t.name !== 'string' || t.name === '' || typeof t.language !== 'string' || t.language === '') {
    fail(channel, 'settings.windowTemplate', "must be { name, language: 'en_US', components? }");
  }
  if (t.components !== undefined && !Array.isArray(t.components)) fail(channel, 'settings.windowTemplate.components', 'must be an array');
  return { name: t.name, language: t.language, ...(t.components ? { components: t.components } : {}) };
}

/** Reads the channel: `credentials.accessToken`, `credentials.phoneNumberId`, `settings.apiBaseUrl` (an origin), `settings.apiVersion`. */
export function whatsappApi(channel: IntegrationConfig): WhatsAppApi {
  const { accessToken, phoneNumberId } = channel.credentials;
  if (typeof accessToken !== 'string' || accessToken === '') fail(channel, 'credentials.accessToken', 'is not set');
  if (typeof phoneNumberId !== 'string' || !/^\d{1,32}$/.test(phoneNumberId)) fail(channel, 'credentials.phoneNumberId', 'must be the phone number id (digits)');
  const version = channel.settings.apiVersion ?? DEFAULT_WHATSAPP_API_VERSION;
  if (typeof version !== 'string' || !API_VERSION.test(version)) fail(channel, 'settings.apiVersion', "must be Meta's form, e.g. 'v21.0'");
  const origin = channel.settings.apiBaseUrl ?? DEFAULT_WHATSAPP_API_BASE_URL;
  let url: URL;
  try {
    url = new URL(String(origin));
  } catch {
    fail(channel, 'settings.apiBaseUrl', 'must be an origin such as https://graph.facebook.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(channel, 'settings.apiBaseUrl', 'must be an http(s) origin');
  const windowTemplate = windowTemplateOf(channel);
  return { base: `${url.origin}/${version}`, accessToken, phoneNumberId, ...(windowTemplate ? { windowTemplate } : {}) };
}
