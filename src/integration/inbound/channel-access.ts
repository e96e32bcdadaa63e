/**
 * Step 1b: the channel's own checks before any signature work — the source address against `allowedSources`
 * (403) and HTTP basic auth against `basicAuth` + the channel's secrets (401). Returns what passed, which
 * `noSignature()` requires.
 */
import { createHash } from 'node:crypto';
import { ConfigError, ForbiddenError, UnauthorizedError } from '../../errors';
import { frontDoorSettings, frontDoorSettingsProblem } from '../../registry/front-door';
import { addressList, clientAddress, constantTimeEqual, type AddressList, type ChannelAuthentication } from '../../security';
import type { IntegrationConfig } from '../../types';
import type { InboundRequest } from './request';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

const sourceLists = new WeakMap<readonly string[], AddressList>();

function sourcesOf(list: readonly string[]): AddressList {
  let parsed = sourceLists.get(list);
  if (!parsed) {
    parsed = addressList(list);
    sourceLists.set(list, parsed);
  }
  return parsed;
}

/** The user and password of an `Authorization: Basic` header, or undefined. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** True when `sent` matches the user name and one of the secrets; every comparison runs (constant time, no early exit). */
function basicAuthMatches(sent: { username: string; password: string }, username: string, secrets: readonly string[]): boolean {
  let ok = constantTimeEqual(sha256(sent.username), sha256(username));
  let anySecret = false;
  const password = sha256(sent.password);
  for (const secret of secrets) if (typeof secret === 'string' && secret !== '' && constantTimeEqual(password, sha256(secret))) anySecret = true;
  ok = ok && anySecret;
  return ok;
}

/**
 * Checks `allowedSources` (the client behind `trustedProxies`, else the socket peer) and `basicAuth`; throws
 * `ForbiddenError` (403) or `UnauthorizedError` (401), `ConfigError` (500) when the channel's settings are
 * unusable (a hand-written `getChannelConfig`). Resolves with the checks that passed.
 */
export function checkChannelAccess(channel: IntegrationConfig, request: InboundRequest, trustedProxies: AddressList): ChannelAuthentication[] {
  const problem = frontDoorSettingsProblem(channel.settings);
  if (problem) throw new ConfigError(`channel "${channel.id}": ${problem.message}`, { field: problem.field });
  const { allowedSources, basicAuth } = frontDoorSettings(channel.settings);
  const passed: ChannelAuthentication[] = [];
  if (allowedSources) {
    const client = clientAddress(request.remoteAddress, request.headers['x-forwarded-for'], trustedProxies);
    if (!client || !sourcesOf(allowedSources).check(client)) {
      throw new ForbiddenError(`source address ${client ?? '(unknown)'} is not allowed for this channel`, { reason: 'source' });
    }
    passed.push('allowedSources');
  }
  if (basicAuth) {
    const sent = basicCredentials(request.headers.authorization);
    if (!sent) throw new UnauthorizedError('this channel requires HTTP basic auth', { scheme: 'basic' });
    if (!basicAuthMatches(sent, basicAuth.username, channel.secrets ?? [])) throw new UnauthorizedError('basic auth credentials are not accepted', { scheme: 'basic' });
    passed.push('basicAuth');
  }
  return passed;
}
