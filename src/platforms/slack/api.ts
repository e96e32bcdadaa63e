/** One Slack Web API call: JSON in, `{ ok }` out; HTTP errors and `ok:false` become `PlatformError`s. */
import type { Service } from 'moleculer';
import type { IntegrationConfig } from '../../types';
import { apiBase, credential, ensureAnswerOk, platformRequest } from '../shared/api';
import { throwSlackError } from './errors';

/** Slack's Web API base; a channel's `settings.apiBaseUrl` replaces it (e.g. `http://127.0.0.1:4010`). */
export const SLACK_API_BASE = 'https://slack.com/api';

/** Calls `method` with the channel's bot token; resolves with the `ok:true` answer. */
export async function callSlack(
  service: Service, channel: IntegrationConfig, method: string, body: Record<string, unknown>, signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const token = credential(channel, 'botToken');
  // undici's request, not fetch: no web streams or Response, a fraction of the CPU per send
  const response = await platformRequest(service, `${apiBase(channel, SLACK_API_BASE)}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal,
  });
  ensureAnswerOk(response, `slack ${method}`);
  const answer = parseAnswer(response.text);
  if (answer.ok !== true) throwSlackError(method, answer, response.headers);
  return answer;
}

/** A 2xx answer's JSON object; anything else (a proxy's page, a cut body, `null`) reads as Slack's `invalid_response` error. */
function parseAnswer(text: string): Record<string, unknown> {
  try {
    const answer = JSON.parse(text) as unknown;
    if (answer !== null && typeof answer === 'object') return answer as Record<string, unknown>;
  } catch {
    // not JSON: answered below like any other non-object
  }
  return { ok: false, error: 'invalid_response' };
}
