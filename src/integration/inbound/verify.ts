/** Steps 2–3: the signature over the raw bytes against every active secret, and its freshness — any failure → 401, never a 500. */
import { SignatureError } from '../../errors';
import type { SignatureInput, SignatureScheme, VerifiedSignature, VerifyResult } from '../../security';
import type { IntegrationConfig } from '../../types';
import type { CustomVerifyResult } from '../types';
import type { InboundRequest } from './request';

/** Checks one delivery; resolves with the outcome; never rejects. */
export type SignatureVerifier = (input: SignatureInput, channel: IntegrationConfig) => Promise<VerifyResult>;

/** A verifier from a shipped scheme (its timestamp window included). */
export function schemeVerifier(scheme: SignatureScheme): SignatureVerifier {
  return async (input) => scheme.verify(input);
}

/** A verifier from a custom `validateSignature` hook; a throw or a non-boolean answer is a rejection. */
export function customVerifier(check: (input: SignatureInput, channel: IntegrationConfig) => CustomVerifyResult | Promise<CustomVerifyResult>): SignatureVerifier {
  return async (input, channel) => {
    let result: CustomVerifyResult;
    try {
      result = await check(input, channel);
    } catch {
      return { valid: false, reason: 'malformed', message: 'the signature check rejected the request' };
    }
    if (result === true) return { valid: true };
    if (typeof result === 'object' && result !== null && typeof result.valid === 'boolean') return result;
    return { valid: false, reason: 'mismatch', message: 'the signature did not verify' };
  };
}

/** Verifies `request` with the channel's active secrets (and `context`: the public URL, the channel checks passed); throws `SignatureError` (401) with the reason. */
export async function verifySignature(
  verifier: SignatureVerifier, request: InboundRequest, channel: IntegrationConfig, now?: number,
  context: Pick<SignatureInput, 'url' | 'authenticatedBy'> = {},
): Promise<VerifiedSignature> {
  let result: VerifyResult;
  try {
    result = await verifier({ rawBody: request.rawBody, headers: request.headers, secrets: channel.secrets ?? [], now, ...context }, channel);
  } catch {
    result = { valid: false, reason: 'malformed', message: 'the signature could not be checked' };
  }
  if (result.valid) return result;
  throw new SignatureError(`webhook signature rejected (${result.reason}): ${result.message}`, { reason: result.reason });
}
