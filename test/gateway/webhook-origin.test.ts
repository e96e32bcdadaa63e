/** What the webhook route passes on for the front door: the path as received, the socket peer, forms let through. */
import type { IncomingMessage } from 'node:http';
import { contentTypeAccepted, FORM_CONTENT_TYPE, requestOrigin } from '../../src/gateway/webhook-body';
import { DEFAULT_WEBHOOK_CONTENT_TYPES } from '../../src/gateway/webhooks';

const req = (fields: Record<string, unknown>) => fields as unknown as IncomingMessage;

describe('requestOrigin', () => {
  it('the original path with its query (moleculer-web rewrites req.url) and the socket peer — never the Host header', () => {
    const origin = requestOrigin(req({ originalUrl: '/webhooks/twilio/c1?x=1', url: '/twilio/c1?x=1', headers: { host: 'evil.example' }, socket: { remoteAddress: '::ffff:10.0.0.1' } }));
    expect(origin).toEqual({ path: '/webhooks/twilio/c1?x=1', remoteAddress: '::ffff:10.0.0.1' });
    expect(requestOrigin(req({ url: '/a', socket: {} }))).toEqual({ path: '/a' });
    expect(requestOrigin(req({ url: 'http://absolute/form' }))).toEqual({});
  });
});

describe('default webhook content types', () => {
  it('forms pass the gateway (each integration takes only its bodyFormats)', () => {
    expect(contentTypeAccepted(`${FORM_CONTENT_TYPE}; charset=utf-8`, DEFAULT_WEBHOOK_CONTENT_TYPES)).toBe(true);
    expect(contentTypeAccepted('application/json', DEFAULT_WEBHOOK_CONTENT_TYPES)).toBe(true);
    expect(contentTypeAccepted('multipart/form-data', DEFAULT_WEBHOOK_CONTENT_TYPES)).toBe(false);
  });
});
