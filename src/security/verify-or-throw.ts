/** Turning a failed verification into the one error type the pipeline raises (`SignatureError`, 401). */
import { SignatureError } from '../errors';
import type { SignatureInput, SignatureScheme, VerifyResult } from './types';

export type VerifiedSignature = Extract<VerifyResult, { valid: true }>;

/** Runs `scheme.verify` and returns the valid result, or throws `SignatureError` with `data: { scheme, reason }`. */
export function verifyOrThrow(scheme: SignatureScheme, input: SignatureInput): VerifiedSignature {
  const result = scheme.verify(input);
  if (result.valid) return result;
  throw new SignatureError(`webhook signature rejected (${result.reason}): ${result.message}`, { scheme: scheme.name, reason: result.reason });
}
