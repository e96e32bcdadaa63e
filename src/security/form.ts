/** `application/x-www-form-urlencoded` bodies read as ordered name/value pairs (what Twilio signs and Slack posts). */

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Every `name=value` pair of a form body, in order, `+` as space and percent-escapes decoded; undefined when the
 * bytes are not UTF-8 or an escape is broken (never silently replaced characters).
 */
export function formPairs(body: Buffer | string): Array<[string, string]> | undefined {
  let text: string;
  try {
    text = typeof body === 'string' ? body : UTF8.decode(body);
  } catch {
    return undefined;
  }
  const pairs: Array<[string, string]> = [];
  if (text === '') return pairs;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    try {
      pairs.push([decodeURIComponent(rawName.replace(/\+/g, ' ')), decodeURIComponent(rawValue.replace(/\+/g, ' '))]);
    } catch {
      return undefined;
    }
  }
  return pairs;
}
