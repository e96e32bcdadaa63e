/** `application/x-www-form-urlencoded` bodies read as ordered name/value pairs (what Twilio signs and Slack posts). */

/** Every `name=value` pair of a form body, in order, `+` as space and percent-escapes decoded; undefined when an escape is broken. */
export function formPairs(body: Buffer | string): Array<[string, string]> | undefined {
  const text = typeof body === 'string' ? body : body.toString('utf8');
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
