/** Standard Webhooks signing: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per signing secret. */
import { hmac } from '../../security/hmac';
import { standardWebhooksKey } from '../../security/standard-webhooks';

/** The `webhook-signature` value: space-separated `v1,` signatures, one per usable secret (`whsec_` secrets base64-decoded). */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: string, body: Buffer): string {
  const out: string[] = [];
  for (const secret of secrets) {
    const key = standardWebhooksKey(secret);
    if (key) out.push(`v1,${hmac('sha256', key, `${id}.${timestamp}.`, body).toString('base64')}`);
  }
  return out.join(' ');
}

/** The request headers of one attempt (`webhook-timestamp` in seconds). */
export function deliveryHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: Buffer): Record<string, string> {
  const ts = String(timestampSeconds);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': ts,
    'webhook-signature': signatureHeader(secrets, id, ts, body),
  };
}
