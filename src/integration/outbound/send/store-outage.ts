/** Store failures (Redis down) become 503: a send fails closed, never without its idempotency and rate-limit checks. */
import { UnavailableError } from '../../../errors';

/** A rejection handler: an error with a numeric `code` (409, 429, ...) passes through; anything else is the store failing → `UnavailableError`. */
export function storeOutage(what: string): (err: unknown) => never {
  return (err) => {
    if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number') throw err;
    throw new UnavailableError(`${what}: the store is unavailable`, undefined, err);
  };
}
