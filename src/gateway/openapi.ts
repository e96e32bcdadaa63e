/** The OpenAPI 3 document of the gateway: the operator API (`/api`, API key) and the webhook routes (`/webhooks`, signed by the platform). */
import { routeSpecPaths, subscriptionRouteSpecs, subscriptionSchemas } from './subscription-routes';

/** Where the routes live. */
export interface OpenApiOptions {
  /** Default `/api`. */
  apiPath?: string;
  /** Default `/webhooks`. */
  webhookPath?: string;
  /** Document version. Default the SDK's `0.1.0`. */
  version?: string;
}

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const errors = (...codes: number[]): Json => Object.fromEntries(codes.map((c) => [String(c), { $ref: `#/components/responses/E${c}` }]));
const pathParam = (name: string, description: string): Json => ({ name, in: 'path', required: true, description, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation details in `details`)',
  401: 'Missing or unknown API key / invalid webhook signature or timestamp',
  403: 'The channel belongs to another tenant',
  404: 'Unknown (or disabled) channel, a channel of another platform, or no such integration',
  409: 'Conflict: the channel exists, or a send with this idempotency key is in progress',
  413: 'Body over the limit',
  415: 'Content type is not application/json',
  429: 'Rate limit reached; see Retry-After',
  501: 'NOT_IMPLEMENTED: the integration does not send, or does not take queued sends',
  502: 'The platform refused the message (PLATFORM_ERROR) or every retry failed (RETRY_EXHAUSTED)',
  503: 'A dependency (NATS, Redis) or the integration (known, no instance available) is unavailable; retry later',
  504: 'SEND_AMBIGUOUS: the platform may or may not have received the message; it was not resent',
};

const schemas: Json = {
  Error: {
    type: 'object', required: ['error', 'code', 'message'],
    properties: {
      error: { type: 'string', description: 'Stable machine name, e.g. FORBIDDEN, RATE_LIMITED, SEND_AMBIGUOUS' },
      code: { type: 'integer', description: 'The HTTP status' },
      message: { type: 'string' },
      details: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  },
  Channel: {
    type: 'object', description: 'A channel as the API shows it: never credential values or secrets.',
    properties: {
      id: { type: 'string' }, tenantId: { type: 'string' }, platform: { type: 'string' },
      settings: { type: 'object', additionalProperties: true },
      status: { type: 'string', enum: ['active', 'disabled'] },
      credentialKeys: { type: 'array', items: { type: 'string' }, description: 'Names of the credentials set' },
      secrets: { type: 'array', items: { type: 'object', properties: { expiresAt: { type: 'integer', nullable: true, description: 'ms since the epoch; null = current' } } } },
      createdAt: { type: 'integer' }, updatedAt: { type: 'integer' },
    },
  },
  ChannelInput: {
    type: 'object', required: ['id', 'platform'],
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' },
      tenantId: { type: 'string', description: "Defaults to the API key's tenant; another tenant → 403" },
      platform: { type: 'string' },
      credentials: { type: 'object', additionalProperties: true, description: 'Write-only' },
      secrets: { type: 'array', items: { type: 'string' }, description: 'Write-only webhook secrets' },
      settings: { type: 'object', additionalProperties: true, description: '`rateLimit: { capacity, refillPerSecond }` overrides the platform default. Inbound (validated): `basicAuth: { username }` (password: any active secret; shown only as `{ configured: true }`), `allowedSources: [IP or CIDR]`, `inboundRateLimit: { perSecond, burst }`, `publicUrl` (the URL a platform signs, e.g. Twilio)' },
      status: { type: 'string', enum: ['active', 'disabled'] },
    },
  },
  ChannelUpdate: {
    type: 'object', additionalProperties: false,
    properties: {
      platform: { type: 'string' }, credentials: { type: 'object', additionalProperties: true }, settings: { type: 'object', additionalProperties: true },
      status: { type: 'string', enum: ['active', 'disabled'] },
    },
  },
  RotateSecret: {
    type: 'object', required: ['secret'],
    properties: {
      secret: { type: 'string', minLength: 16, description: 'The new secret (you generate it, e.g. `whsec_` + base64 of 24 random bytes); never returned' },
      graceSeconds: { type: 'number', minimum: 0, default: 86400, description: 'How long the old secrets stay accepted' },
    },
  },
  OutboundMessage: {
    type: 'object', required: ['conversationId', 'content'],
    properties: {
      conversationId: { type: 'string', description: 'Chat / thread / phone number to send to' },
      content: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['text', 'media', 'location', 'contact', 'interactive_reply', 'reaction'] } }, additionalProperties: true },
      replyToId: { type: 'string' },
      metadata: { type: 'object', additionalProperties: true },
    },
  },
  SendRequest: {
    type: 'object', required: ['message'],
    properties: { message: ref('OutboundMessage'), idempotencyKey: { type: 'string', maxLength: 200, description: 'Or the Idempotency-Key header' } },
  },
  SendOutcome: {
    type: 'object',
    properties: {
      integration: { type: 'string' }, channelId: { type: 'string' }, messageId: { type: 'string' },
      metadata: { type: 'object', additionalProperties: true }, attempts: { type: 'integer' },
      duplicate: { type: 'boolean', description: 'Answered from the idempotency key, nothing sent' }, idempotencyKey: { type: 'string' },
    },
  },
  Queued: { type: 'object', properties: { queued: { type: 'boolean' }, integration: { type: 'string' }, channelId: { type: 'string' }, stream: { type: 'string' }, seq: { type: 'integer' }, duplicate: { type: 'boolean' }, idempotencyKey: { type: 'string' } } },
  Health: { type: 'object', properties: { integration: { type: 'string' }, channelId: { type: 'string' }, healthy: { type: 'boolean' }, message: { type: 'string' }, latencyMs: { type: 'number' }, details: { type: 'object', additionalProperties: true } } },
  CredentialsCheck: { type: 'object', properties: { integration: { type: 'string' }, channelId: { type: 'string' }, valid: { type: 'boolean' }, checked: { type: 'boolean' }, message: { type: 'string' } } },
  Status: {
    type: 'object',
    properties: {
      integration: { type: 'string' }, spec: { type: 'object', additionalProperties: true }, version: { type: 'string' },
      capabilities: { type: 'array', items: { type: 'string' } }, nodeID: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' },
      uptimeSeconds: { type: 'integer' }, counters: { type: 'object', additionalProperties: { type: 'integer' } }, pendingEvents: { type: 'integer' },
    },
  },
};

/** Builds the document. The paths match `operatorRouteSpecs` and `webhookRoutes` (a test checks it). */
export function operatorOpenApi(options: OpenApiOptions = {}): Json {
  const api = options.apiPath ?? '/api';
  const hooks = options.webhookPath ?? '/webhooks';
  const channel = pathParam('channelId', 'Channel id');
  const integration = pathParam('integration', 'Integration service name, e.g. `generic`, `telegram`');
  const keyed = (op: Json): Json => ({ security: [{ apiKey: [] }], ...op, responses: { ...(op.responses as Json), ...errors(401) } });
  const body = (schema: Json): Json => ({ required: true, content: { 'application/json': { schema } } });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Switchboard gateway',
      version: options.version ?? '0.1.0',
      description: `\`${api}\`: the operator API. Every route needs \`Authorization: Bearer <key>\` (keys from SWITCHBOARD_API_KEYS, each scoped to one tenant). \`${hooks}\`: where platforms deliver webhooks, authenticated by their signatures.`,
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An operator API key (SWITCHBOARD_API_KEYS)' } },
      schemas: { ...schemas, ...subscriptionSchemas },
      responses: Object.fromEntries(Object.entries(ERROR_DESCRIPTIONS).map(([code, description]) => [`E${code}`, json(ref('Error'), description)])),
    },
    paths: {
      [`${api}/openapi.json`]: { get: keyed({ summary: 'This document', responses: { 200: json({ type: 'object' }) } }) },
      [`${api}/channels`]: {
        get: keyed({ summary: "List the key's tenant's channels", responses: { 200: json({ type: 'object', properties: { channels: { type: 'array', items: ref('Channel') } } }) } }),
        post: keyed({ summary: 'Create a channel', requestBody: body(ref('ChannelInput')), responses: { 201: json(ref('Channel'), 'Created'), ...errors(400, 403, 409, 413, 415) } }),
      },
      [`${api}/channels/{channelId}`]: {
        parameters: [channel],
        get: keyed({ summary: 'Get a channel (redacted)', responses: { 200: json(ref('Channel')), ...errors(403, 404) } }),
        patch: keyed({ summary: 'Update platform, credentials, settings or status', requestBody: body(ref('ChannelUpdate')), responses: { 200: json(ref('Channel')), ...errors(400, 403, 404) } }),
        delete: keyed({ summary: 'Delete a channel', responses: { 200: json({ type: 'object', properties: { deleted: { type: 'boolean' } } }), ...errors(403, 404) } }),
      },
      [`${api}/channels/{channelId}/disable`]: { parameters: [channel], post: keyed({ summary: 'Disable (webhooks and sends → 404)', responses: { 200: json(ref('Channel')), ...errors(403, 404) } }) },
      [`${api}/channels/{channelId}/enable`]: { parameters: [channel], post: keyed({ summary: 'Enable', responses: { 200: json(ref('Channel')), ...errors(403, 404) } }) },
      [`${api}/channels/{channelId}/rotate-secret`]: {
        parameters: [channel],
        post: keyed({
          summary: 'Rotate the webhook secret: the new one is accepted at once, the old ones for graceSeconds',
          requestBody: body(ref('RotateSecret')),
          responses: { 200: json({ type: 'object', properties: { channel: ref('Channel'), previousSecretsExpireAt: { type: 'string', format: 'date-time' } } }), ...errors(400, 403, 404) },
        }),
      },
      [`${api}/integrations/{integration}/channels/{channelId}/messages`]: {
        parameters: [integration, channel],
        post: keyed({
          summary: 'Send a message (with retries); `?mode=queued` puts it on the durable queue instead (202), after the same checks (400, 403, 404)',
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } },
            { name: 'mode', in: 'query', required: false, schema: { type: 'string', enum: ['queued'] } },
          ],
          requestBody: body(ref('SendRequest')),
          responses: { 200: json(ref('SendOutcome')), 202: json(ref('Queued'), 'Queued'), ...errors(400, 403, 404, 409, 429, 501, 502, 503, 504) },
        }),
      },
      [`${api}/integrations/{integration}/channels/{channelId}/health`]: {
        parameters: [integration, channel],
        get: keyed({ summary: "The platform's health for this channel (reachability by default)", responses: { 200: json(ref('Health')), ...errors(403, 404) } }),
      },
      [`${api}/integrations/{integration}/channels/{channelId}/validate-credentials`]: {
        parameters: [integration, channel],
        post: keyed({
          summary: 'Check the stored credentials, or `credentials` laid over them; never echoed back',
          requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { credentials: { type: 'object', additionalProperties: true } } } } } },
          responses: { 200: json(ref('CredentialsCheck')), ...errors(403, 404) },
        }),
      },
      [`${api}/integrations/{integration}/status`]: {
        parameters: [integration],
        get: keyed({ summary: 'Spec, version, capabilities and counters since start', responses: { 200: json(ref('Status')), ...errors(404) } }),
      },
      // tenant webhooks: built from their route table
      ...routeSpecPaths(api, subscriptionRouteSpecs()),
      [`${hooks}/{integration}/{channelId}`]: {
        parameters: [integration, channel],
        post: {
          summary: 'A platform delivers a webhook. Verified over the raw bytes with the channel\'s secrets, de-duplicated by event id, stored in JetStream before the 200.',
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } } },
          responses: {
            200: json({ type: 'object', properties: { success: { type: 'boolean' }, messages: { type: 'integer' }, duplicate: { type: 'boolean' } } }),
            ...errors(400, 401, 404, 409, 413, 415, 503),
          },
        },
        get: {
          summary: 'Subscription challenge (e.g. Meta hub.challenge)',
          security: [],
          responses: { 200: { description: 'The challenge answer (text or JSON)' }, ...errors(401, 403, 404) },
        },
      },
    },
  };
}
