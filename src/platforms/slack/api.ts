/** One Slack Web API call: JSON in, `{ ok }` out; HTTP errors and `ok:false` become `PlatformError`s. */
import type { Service } from 'moleculer';
import { ensureOk } from '../../retry';
import type { IntegrationConfig } from '../../types';
import { apiBase, credential, platformFetch } from '../shared/api';
import { throwSlackError } from './errors';

/** Slack's Web API base; a channel's `settings.apiBaseUrl` replaces it (e.g. `http://127.0.0.1:4010`). */
export const SLACK_API_BASE = 'https://slack.com/api';

/** Calls `method` with the channel's bot token; resolves with the `ok:true` answer. */
export async function callSlack(
  service: Service, channel: IntegrationConfig, method: string, body: Record<string, unknown>, signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const token = credential(channel, 'botToken');
  const response = await platformFetch(service, `${apiBase(channel, SLACK_API_BASE)}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  await ensureOk(response, `slack ${method}`);
  const answer = (await response.json().catch(() => ({ ok: false, error: 'invalid_response' }))) as Record<string, unknown>;
  if (answer.ok !== true) throwSlackError(method, answer, response.headers);
  return answer;
}
