/**
 * The shipped `sendMessage`: the 24-hour window checked first (closed → `WINDOW_CLOSED` with no API call, or
 * the channel's `windowTemplate` instead), then the Graph API call; a rejected token (190) is marked.
 */
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig, OutboundMessage, SendResult } from '../../types';
import { graphErrorCode, TOKEN_CODE, WindowClosedError } from './errors';
import { markTokenRejected } from './health';
import { graphMessageBody, postMessage, windowTemplateContent, type Fetch } from './send';
import { whatsappApi } from './settings';
import { needsOpenWindow, windowKey, windowState } from './window';

/** What one send needs from its service. */
export interface SendDeps {
  fetch: Fetch;
  store: KeyValueStore;
  /** ms since the epoch. */
  now: number;
  /** Check the window before a free-form send. */
  enforceWindow: boolean;
}

/** Sends `message` through the channel under the window policy; see the file comment. */
export async function sendWithWindow(deps: SendDeps, message: OutboundMessage, channel: IntegrationConfig, signal: AbortSignal): Promise<SendResult> {
  const api = whatsappApi(channel);
  let content = message.content;
  let viaTemplate = false;
  if (deps.enforceWindow && needsOpenWindow(content)) {
    const window = await windowState(deps.store, windowKey(channel, message.conversationId), deps.now);
    if (!window.open) {
      if (!api.windowTemplate) {
        throw new WindowClosedError(
          `no message from ${message.conversationId} in the last 24 hours: WhatsApp takes only templates outside the customer-service window (set settings.windowTemplate to send one instead)`,
          { channelId: channel.id, conversationId: message.conversationId },
        );
      }
      content = windowTemplateContent(api.windowTemplate);
      viaTemplate = true;
    }
  }
  try {
    const result = await postMessage(deps.fetch, api, graphMessageBody(message, content), signal);
    return viaTemplate ? { ...result, metadata: { ...result.metadata, sentAs: 'windowTemplate', template: api.windowTemplate!.name } } : result;
  } catch (err) {
    if (graphErrorCode(err) === TOKEN_CODE) await markTokenRejected(deps.store, channel, api, (err as Error).message);
    throw err;
  }
}
