/** Slack request signing v0: `x-slack-signature: v0=<hex>` over `v0:<timestamp>:<body>`, with `x-slack-request-timestamp`. */
import { hmacSignature } from './hmac';
import { toleranceOption } from './input';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamps';
import type { SignatureScheme } from './types';

export interface SlackSignatureOptions {
  /** The replay window in seconds, both ways. Default: 300 (Slack's recommendation). */
  toleranceSeconds?: number;
}

/** Slack's scheme; the secret is the app's signing secret, used as is. */
export function slackSignature(options: SlackSignatureOptions = {}): SignatureScheme {
  return hmacSignature({
    name: 'slack',
    header: 'x-slack-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'v0=',
    timestampHeader: 'x-slack-request-timestamp',
    toleranceSeconds: toleranceOption(options?.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS, 'slackSignature'),
    signedPayload: ({ body, timestamp }) => Buffer.concat([Buffer.from(`v0:${timestamp}:`), body]),
  });
}
