/** Step 4: the body parsed as JSON, only after verification — not UTF-8, malformed, too deep or not an object/array → 400. */
import { BadRequestError } from '../../errors';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The bytes as text, refusing invalid UTF-8 with 400: JSON must be UTF-8 (RFC 8259 §8.1), and a lenient
 * decode would store U+FFFD in place of the bytes that were signed — the stored text would not be what
 * the platform sent. (`ignoreBOM` keeps a BOM in the text, so `JSON.parse` refuses it as before.)
 */
export function decodeUtf8(raw: Buffer): string {
  try {
    return UTF8.decode(raw);
  } catch {
    throw new BadRequestError('body is not valid UTF-8 (JSON must be UTF-8); nothing was stored');
  }
}

/** Fails fast on nesting deeper than `maxDepth` (a linear scan, strings skipped) before `JSON.parse` sees it. */
export function jsonDepthWithin(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) { if (++depth > maxDepth) return false; }
    else if (c === 125 || c === 93) depth--;
  }
  return true;
}

/** Removes own `__proto__` keys everywhere (JSON.parse makes them plain properties; a later merge could not). */
function dropProtoKeys(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) delete (node as Record<string, unknown>)['__proto__'];
    for (const value of Object.values(node)) if (value !== null && typeof value === 'object') stack.push(value);
  }
}

/** Parses the verified bytes as UTF-8 JSON; the payload must be an object or an array. */
export function parsePayload(rawBody: Buffer, maxDepth: number): Record<string, unknown> | unknown[] {
  const text = decodeUtf8(rawBody);
  if (!jsonDepthWithin(text, maxDepth)) throw new BadRequestError(`body nests deeper than ${maxDepth} levels`, { maxDepth });
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (payload === null || typeof payload !== 'object') throw new BadRequestError('body must be a JSON object or array');
  if (text.includes('__proto__') || text.includes('\\u')) dropProtoKeys(payload);
  return payload as Record<string, unknown> | unknown[];
}

/** Runs the integration's `validateWebhook`; `false` or a throw → 400. */
export async function validatePayload<T>(validate: ((webhook: T) => boolean | Promise<boolean>) | undefined, webhook: T): Promise<void> {
  if (!validate) return;
  let ok: boolean;
  try {
    ok = await validate(webhook);
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    throw new BadRequestError(`webhook rejected by validateWebhook: ${(err as Error)?.message ?? String(err)}`);
  }
  if (ok !== true) throw new BadRequestError('webhook rejected by validateWebhook');
}
