/** Published test vectors and independent signers (node:crypto only) that the scheme tests check against. */
import { createHmac } from 'node:crypto';

/** Standard Webhooks reference vector (standard-webhooks / svix libraries' own tests). */
export const STANDARD_WEBHOOKS_VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

/** Slack's documented example ("Verifying requests from Slack"). */
export const SLACK_VECTOR = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

/** GitHub's documented x-hub-signature-256 example; Meta uses the same header format. */
export const HUB_SIGNATURE_VECTOR = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};

export function hmacHex(algorithm: string, key: string | Buffer, data: Buffer | string): string {
  return createHmac(algorithm, key).update(data).digest('hex');
}

export function hmacBase64(algorithm: string, key: string | Buffer, data: Buffer | string): string {
  return createHmac(algorithm, key).update(data).digest('base64');
}

/** Bodies that break naive byte/character handling. */
export const AWKWARD_BODIES: Record<string, string> = {
  emoji: '{"text":"hi 👋🏽 family 👨‍👩‍👧"}',
  accents: '{"text":"Ünïcödé — ñ 中文 العربية"}',
  'escaped unicode': '{"text":"\\u00e9\\ud83d\\ude00"}',
  'lone surrogate': '{"text":"\ud800 alone"}',
  nul: '{"text":"a\u0000b"}',
  empty: '',
  whitespace: ' \n\t ',
};

/** Seconds → the millisecond clock verify takes. */
export const at = (seconds: number | string): number => Number(seconds) * 1000;
