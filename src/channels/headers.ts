/** Dead-letter headers: where a message failed and the error that ended it, as NATS-safe header values. */
/** Header names set on a dead-lettered message (in addition to the original message's headers). */
export const DEAD_LETTER_HEADERS = Object.freeze({
  ORIGINAL_CHANNEL: 'x-original-channel',
  ORIGINAL_GROUP: 'x-original-group',
  ORIGINAL_STREAM: 'x-original-stream',
  ORIGINAL_SEQ: 'x-original-seq',
  /** The original `Nats-Msg-Id` (the dead letter carries its own, unique per group). */
  ORIGINAL_MSG_ID: 'x-original-msg-id',
  DELIVERY_COUNT: 'x-delivery-count',
  ERROR_NAME: 'x-error-name',
  ERROR_MESSAGE: 'x-error-message',
  ERROR_CODE: 'x-error-code',
  ERROR_TYPE: 'x-error-type',
  ERROR_RETRYABLE: 'x-error-retryable',
  ERROR_STACK: 'x-error-stack',
  ERROR_DATA: 'x-error-data',
  ERROR_TIMESTAMP: 'x-error-timestamp',
  /** Set when the dead letter had to be shrunk under max_payload: the headers cut or dropped, comma-separated. */
  TRUNCATED: 'x-dead-letter-truncated',
  /**
   * Set when even the shrunk dead letter did not fit with the original body: the dead letter has no
   * body, and this is the original's size in bytes. Read the body at `x-original-stream` /
   * `x-original-seq` (it stays there until the stream's retention removes it).
   */
  BODY_OMITTED: 'x-dead-letter-body-omitted',
});

const MAX_VALUE = 8 * 1024;

/** A header-safe value: JSON string escaping without the quotes (no CR/LF), capped at 8 KiB. Non-strings are converted with `String()` (null/undefined → ''). */
export function encodeHeaderValue(value: unknown): string {
  const s = JSON.stringify(toText(value)).slice(1, -1);
  return s.length > MAX_VALUE ? s.slice(0, MAX_VALUE) : s;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value ?? '');
  } catch {
    return Object.prototype.toString.call(value); // e.g. an object whose toString throws
  }
}

/** The inverse of {@link encodeHeaderValue} (a truncated value decodes as far as it can). */
export function decodeHeaderValue(value: string): string {
  try {
    return JSON.parse(`"${value}"`) as string;
  } catch {
    return value;
  }
}

/** The error fields carried into dead-letter headers. */
export interface DeadLetterError {
  name: string;
  message: string;
  code?: string;
  type?: string;
  retryable?: boolean;
  stack?: string;
  data?: unknown;
}

/** Error fields of any thrown value (Moleculer errors carry `code`, `type`, `data`, `retryable`). */
export function errorFields(err: unknown): DeadLetterError {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; type?: unknown; retryable?: unknown; data?: unknown };
    // Anything may have been assigned to these fields: never let one make the dead letter impossible.
    return {
      name: toText(e.name) || 'Error',
      message: toText(e.message),
      code: e.code === undefined || e.code === null ? undefined : toText(e.code),
      type: typeof e.type === 'string' ? e.type : undefined,
      retryable: typeof e.retryable === 'boolean' ? e.retryable : undefined,
      stack: e.stack === undefined || e.stack === null ? undefined : toText(e.stack),
      data: e.data,
    };
  }
  let message: string;
  try {
    message = typeof err === 'string' ? err : JSON.stringify(err) ?? toText(err);
  } catch {
    message = toText(err);
  }
  return { name: 'Error', message };
}

/** The `x-error-*` headers for an error (values encoded with {@link encodeHeaderValue}). */
export function errorHeaders(err: unknown, now: number = Date.now()): Record<string, string> {
  const f = errorFields(err);
  const h: Record<string, string> = {
    [DEAD_LETTER_HEADERS.ERROR_NAME]: encodeHeaderValue(f.name),
    [DEAD_LETTER_HEADERS.ERROR_MESSAGE]: encodeHeaderValue(f.message),
    [DEAD_LETTER_HEADERS.ERROR_TIMESTAMP]: String(now),
  };
  if (f.code !== undefined) h[DEAD_LETTER_HEADERS.ERROR_CODE] = encodeHeaderValue(f.code);
  if (f.type !== undefined) h[DEAD_LETTER_HEADERS.ERROR_TYPE] = encodeHeaderValue(f.type);
  if (f.retryable !== undefined) h[DEAD_LETTER_HEADERS.ERROR_RETRYABLE] = String(f.retryable);
  if (f.stack !== undefined) h[DEAD_LETTER_HEADERS.ERROR_STACK] = encodeHeaderValue(f.stack);
  if (f.data !== undefined) {
    try {
      const json = JSON.stringify(f.data);
      if (json !== undefined) h[DEAD_LETTER_HEADERS.ERROR_DATA] = encodeHeaderValue(json);
    } catch {
      // data not serializable: left out
    }
  }
  return h;
}

/** Reads the error back from dead-letter headers (a plain header record, names lower-cased or not). */
export function parseDeadLetterError(headers: Record<string, string>): DeadLetterError {
  const lc: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lc[k.toLowerCase()] = v;
  const get = (k: string) => (lc[k] === undefined ? undefined : decodeHeaderValue(lc[k]!));
  const retryable = lc[DEAD_LETTER_HEADERS.ERROR_RETRYABLE];
  const data = get(DEAD_LETTER_HEADERS.ERROR_DATA);
  let parsedData: unknown;
  if (data !== undefined) {
    try { parsedData = JSON.parse(data); } catch { parsedData = data; }
  }
  return {
    name: get(DEAD_LETTER_HEADERS.ERROR_NAME) ?? 'Error',
    message: get(DEAD_LETTER_HEADERS.ERROR_MESSAGE) ?? '',
    code: get(DEAD_LETTER_HEADERS.ERROR_CODE),
    type: get(DEAD_LETTER_HEADERS.ERROR_TYPE),
    retryable: retryable === undefined ? undefined : retryable === 'true',
    stack: get(DEAD_LETTER_HEADERS.ERROR_STACK),
    data: parsedData,
  };
}
