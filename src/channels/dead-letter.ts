/**
 * The dead letter, built once for both adapters: the original bytes and headers, where the message
 * failed, and the error; shrunk to fit the server's `max_payload` rather than retried forever.
 */
import { PayloadTooLargeError } from '../errors';
import { DEAD_LETTER_HEADERS } from './headers';

/** The failed message as the dead letter needs it. */
export interface DeadLetterSource {
  channel: string;
  group: string;
  stream: string;
  seq: number;
  deliveryCount: number;
  /** The original message's headers (first value of each). */
  headers: Iterable<readonly [string, string]>;
  data: Uint8Array;
}

/** A dead letter ready to publish. `msgID` is unique per original message and group, so a repeated publish is stored once. */
export interface DeadLetter {
  msgID: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** The smallest form (where it came from, the error's name): used when the full headers cannot be built or never fit. */
  basic: Record<string, string>;
}

/** Bytes kept free under max_payload for what the size estimate does not count (msg id header, framing). */
export const DEAD_LETTER_MARGIN = 512;
const SHORT_VALUE = 1024;

/** `dl:<stream>:<seq>:<group>`. */
export function deadLetterMsgId(stream: string, seq: number, group: string): string {
  return `dl:${stream}:${seq}:${group}`;
}

function whereHeaders(src: DeadLetterSource): Record<string, string> {
  return {
    [DEAD_LETTER_HEADERS.ORIGINAL_CHANNEL]: src.channel,
    [DEAD_LETTER_HEADERS.ORIGINAL_GROUP]: src.group,
    [DEAD_LETTER_HEADERS.ORIGINAL_STREAM]: src.stream,
    [DEAD_LETTER_HEADERS.ORIGINAL_SEQ]: String(src.seq),
    [DEAD_LETTER_HEADERS.DELIVERY_COUNT]: String(src.deliveryCount),
  };
}

/**
 * The dead letter of `src` with the error's `x-error-*` headers: the original headers (its
 * `Nats-Msg-Id` moved to `x-original-msg-id`), where it failed, the error. If the headers cannot be
 * built (an original header or the error that will not encode), the basic ones, and `onBasic` says why.
 */
export function buildDeadLetter(src: DeadLetterSource, error: () => Record<string, string>, now: number, onBasic?: (why: unknown) => void): DeadLetter {
  const basic: Record<string, string> = {
    ...whereHeaders(src),
    [DEAD_LETTER_HEADERS.ERROR_NAME]: 'Error',
    [DEAD_LETTER_HEADERS.ERROR_MESSAGE]: 'the error could not be encoded as headers',
    [DEAD_LETTER_HEADERS.ERROR_TIMESTAMP]: String(now),
  };
  const msgID = deadLetterMsgId(src.stream, src.seq, src.group);
  try {
    const h: Record<string, string> = {};
    let originalMsgId: string | undefined;
    for (const [k, v] of src.headers) {
      if (k.toLowerCase() === 'nats-msg-id') originalMsgId = v;
      else h[k] = v;
    }
    Object.assign(h, whereHeaders(src));
    if (originalMsgId !== undefined) h[DEAD_LETTER_HEADERS.ORIGINAL_MSG_ID] = originalMsgId;
    Object.assign(h, error());
    return { msgID, headers: h, body: src.data, basic };
  } catch (err) {
    onBasic?.(err);
    return { msgID, headers: basic, body: src.data, basic };
  }
}

/** Bytes `headers` take on the wire (`NATS/1.0` line, `k: v` lines, blank line). */
export function headersSize(headers: Record<string, string>): number {
  let n = 'NATS/1.0\r\n\r\n'.length;
  for (const [k, v] of Object.entries(headers)) n += Buffer.byteLength(k) + 2 + Buffer.byteLength(v) + 2;
  return n;
}

/** What {@link fitDeadLetter} had to do: nothing, cut error headers, or leave the body out. */
export type DeadLetterCut = 'none' | 'headers' | 'body';

/**
 * A dead letter (headers + body) that fits in `budget` bytes: first as is; then with the error's
 * stack and data cut to 1 KiB, then dropped, and its message cut to 1 KiB (listed in
 * `x-dead-letter-truncated`); then without the body (`x-dead-letter-body-omitted`: the original is
 * at `x-original-stream`/`x-original-seq`); at last with the basic headers only, without the body.
 * `cut` says which (never inferred from object identity: nats.js hands out a new `data` view per read).
 */
export function fitDeadLetter(headers: Record<string, string>, body: Uint8Array, budget: number, basic: Record<string, string>): { headers: Record<string, string>; body: Uint8Array; cut: DeadLetterCut } {
  const fits = (h: Record<string, string>, b: Uint8Array) => headersSize(h) + b.byteLength <= budget;
  if (fits(headers, body)) return { headers, body, cut: 'none' };
  const h = { ...headers };
  const cut: string[] = [];
  const shorten = (k: string) => {
    const v = h[k];
    if (v !== undefined && v.length > SHORT_VALUE) { h[k] = v.slice(0, SHORT_VALUE); if (!cut.includes(k)) cut.push(k); }
  };
  const mark = () => { if (cut.length) h[DEAD_LETTER_HEADERS.TRUNCATED] = cut.join(','); };
  shorten(DEAD_LETTER_HEADERS.ERROR_STACK);
  shorten(DEAD_LETTER_HEADERS.ERROR_DATA);
  mark();
  if (fits(h, body)) return { headers: h, body, cut: 'headers' };
  for (const k of [DEAD_LETTER_HEADERS.ERROR_STACK, DEAD_LETTER_HEADERS.ERROR_DATA]) {
    if (h[k] !== undefined) { delete h[k]; if (!cut.includes(k)) cut.push(k); }
  }
  shorten(DEAD_LETTER_HEADERS.ERROR_MESSAGE);
  mark();
  if (fits(h, body)) return { headers: h, body, cut: 'headers' };
  const empty = new Uint8Array(0);
  h[DEAD_LETTER_HEADERS.BODY_OMITTED] = String(body.byteLength);
  if (fits(h, empty)) return { headers: h, body: empty, cut: 'body' };
  // the original headers alone are too big: the basic ones, the error's name and short message
  const m: Record<string, string> = { ...basic };
  for (const k of [DEAD_LETTER_HEADERS.ERROR_NAME, DEAD_LETTER_HEADERS.ERROR_MESSAGE, DEAD_LETTER_HEADERS.ERROR_CODE, DEAD_LETTER_HEADERS.ERROR_TYPE, DEAD_LETTER_HEADERS.ERROR_RETRYABLE, DEAD_LETTER_HEADERS.ORIGINAL_MSG_ID]) {
    const v = h[k];
    if (v !== undefined) m[k] = v.slice(0, SHORT_VALUE);
  }
  m[DEAD_LETTER_HEADERS.TRUNCATED] = 'original headers,x-error-stack,x-error-data';
  m[DEAD_LETTER_HEADERS.BODY_OMITTED] = String(body.byteLength);
  return { headers: m, body: empty, cut: 'body' };
}

/** How a dead letter goes out: the transport's publish and, when it has one, the server's max_payload. */
export interface DeadLetterTransport {
  publish(queue: string, dl: { headers: Record<string, string>; body: Uint8Array; msgID: string }): Promise<unknown>;
  /** The server's max_payload in bytes; undefined when there is no limit (in memory). */
  maxPayload(): number | undefined;
}

/**
 * Publishes the dead letter, shrunk to fit max_payload first (a size that would never change on a
 * retry); if the server still refuses its size, the smallest form. `warn` hears about any shrinking.
 */
export async function sendDeadLetter(t: DeadLetterTransport, queue: string, dl: DeadLetter, warn: (msg: string) => void, where: string): Promise<void> {
  const maxPayload = t.maxPayload();
  let fitted = maxPayload === undefined
    ? { headers: dl.headers, body: dl.body, cut: 'none' as DeadLetterCut }
    : fitDeadLetter(dl.headers, dl.body, maxPayload - DEAD_LETTER_MARGIN - dl.msgID.length, dl.basic);
  const noBody = `sent without its body: read it at stream "${dl.basic[DEAD_LETTER_HEADERS.ORIGINAL_STREAM]}" seq ${dl.basic[DEAD_LETTER_HEADERS.ORIGINAL_SEQ]}`;
  if (fitted.cut !== 'none') {
    warn(`${where}: the dead letter was over max_payload (${maxPayload} bytes); ` +
      (fitted.cut === 'body' ? noBody : `headers cut: ${fitted.headers[DEAD_LETTER_HEADERS.TRUNCATED] ?? ''}`));
  }
  try {
    await t.publish(queue, { headers: fitted.headers, body: fitted.body, msgID: dl.msgID });
  } catch (err) {
    if (!(err instanceof PayloadTooLargeError)) throw err;
    // still too big (the estimate missed): not retryable as is; the smallest form instead
    fitted = fitDeadLetter(dl.headers, dl.body, 0, dl.basic);
    warn(`${where}: the dead letter was over max_payload; ${noBody}`);
    await t.publish(queue, { headers: fitted.headers, body: fitted.body, msgID: dl.msgID });
  }
}
