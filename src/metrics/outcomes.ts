/** How an answer or an error of the webhook and send actions reads as a metric outcome label. */

interface ErrorLike { code?: unknown; type?: unknown; name?: unknown }

/** `rejected:<type>` for a 4xx, `unavailable` for a 5xx (the platform retries those). */
export function webhookErrorOutcome(err: unknown): string {
  const e = (err ?? {}) as ErrorLike;
  const code = typeof e.code === 'number' ? e.code : 500;
  if (code >= 500 || code < 400) return 'unavailable';
  return `rejected:${reasonOf(e)}`;
}

/** `stored`, `duplicate` or `challenge` from `i_receiveWebhook`'s answer. */
export function webhookResultOutcome(result: unknown): string {
  const r = (result ?? {}) as { duplicate?: unknown; success?: unknown; messages?: unknown };
  if (r.duplicate === true) return 'duplicate';
  if (r.success === true && typeof r.messages === 'number') return 'stored';
  return 'challenge';
}

/** `sent` or `duplicate` from a send's outcome. */
export function sendResultOutcome(result: unknown): string {
  return (result as { duplicate?: unknown } | null)?.duplicate === true ? 'duplicate' : 'sent';
}

/** `failed:<type>` of a send's error. */
export function sendErrorOutcome(err: unknown): string {
  return `failed:${reasonOf((err ?? {}) as ErrorLike)}`;
}

/** Attempts a send took: from its answer, else the error's `data.attempts`, else 1. */
export function attemptsOf(resultOrError: unknown): number {
  const r = resultOrError as { attempts?: unknown; data?: { attempts?: unknown } } | null;
  const n = typeof r?.attempts === 'number' ? r.attempts : r?.data?.attempts;
  return typeof n === 'number' && n >= 1 ? n : 1;
}

function reasonOf(e: ErrorLike): string {
  const t = typeof e.type === 'string' && e.type ? e.type : typeof e.name === 'string' ? e.name : 'error';
  return t.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
}
