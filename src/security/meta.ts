/** Meta (WhatsApp Cloud API, Messenger, Instagram) webhooks: `x-hub-signature-256: sha256=<hex>` over the raw body. */
import { hmacSignature } from './hmac';
import type { SignatureScheme } from './types';

/** Meta's scheme; the secret is the app secret. No timestamp: de-duplicate on the payload's ids. Also fits GitHub. */
export function metaSignature(): SignatureScheme {
  return hmacSignature({ name: 'meta', header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' });
}
