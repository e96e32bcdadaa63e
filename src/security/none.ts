/** `noSignature()`: for sources that cannot sign — accepted only on channels that set `basicAuth` or `allowedSources`. */
import type { SignatureInput, SignatureScheme, VerifyResult } from './types';

/**
 * A scheme that checks nothing itself. The pipeline runs it only after the channel's own checks: a channel
 * without `settings.basicAuth` or `settings.allowedSources` refuses every delivery (401), so an unsigned
 * endpoint is never open to anyone who knows its URL.
 */
export function noSignature(): SignatureScheme {
  function verify(input: SignatureInput): VerifyResult {
    const by = (input as Partial<SignatureInput> | undefined)?.authenticatedBy;
    if (Array.isArray(by) && (by.includes('basicAuth') || by.includes('allowedSources'))) return { valid: true };
    return {
      valid: false, reason: 'missing',
      message: 'this integration takes unsigned webhooks (noSignature) only on channels with settings.basicAuth or settings.allowedSources; this channel has neither',
    };
  }
  return { name: 'none', verify, sign: () => ({}), unsigned: true };
}
