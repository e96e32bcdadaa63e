/**
 * undici, required on the first outbound request rather than when the SDK is imported: its ~110 modules weigh
 * ~3.5 MB of live heap (measured on Node 20), which a node that never calls out — a gateway, a consumer — would
 * otherwise carry through every full garbage collection. Types come from `import type` (erased at compile time).
 */
import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;

/** The undici module, loaded once on first call. */
export function undici(): typeof Undici {
  return (loaded ??= require('undici') as typeof Undici); // eslint-disable-line @typescript-eslint/no-require-imports
}
