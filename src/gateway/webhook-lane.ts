/**
 * The webhook lane: a `POST` to a `webhookRoutes()` route goes from the gateway's `httpHandler` straight to the
 * route's handler, without moleculer-web's `api.rest` action call (a Moleculer context through every broker
 * middleware, the route's promise and `finish`/`close`/`error` listeners, the middleware chain). The handler is
 * the same one the alias runs, so the answers, error mapping, in-process call and its tracking are unchanged.
 *
 * Taken only when nothing would see the difference: the route is as `webhookRoutes()` made it (no `use`,
 * hooks, authentication, authorization, CORS or rate limit, from the route or the gateway's settings), the
 * gateway has no `rootCallOptions`, and tracing is off (with tracing on, the request keeps its `api.rest` span).
 * Moleculer's own per-action metrics then do not count `api.rest` for these requests; `switchboard_webhooks_total`
 * does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, ServiceBroker } from 'moleculer';

type Handler = (this: unknown, req: IncomingMessage, res: ServerResponse) => Promise<void>;
type Route = { opts?: Record<string, unknown>; middlewares?: unknown[]; cors?: unknown; rateLimit?: unknown; authentication?: unknown; authorization?: unknown };
/** What moleculer-web's `resolveAlias` returns. */
export type FoundAlias = { alias: { handler?: unknown; route?: Route }; params?: Record<string, string> };
/** The gateway service as the lane reads it (`settings` typed loosely: Moleculer 0.14 and 0.15 type it differently). */
type Gateway = { broker: ServiceBroker; settings: object };
type LaneRequest = IncomingMessage & { $ctx?: Context; $params?: unknown; $route?: unknown; $service?: unknown };

/** Alias functions made by {@link laneAlias} → the handler they run. */
const LANES = new WeakMap<object, Handler>();
/** The route options `webhookRoutes()` sets; any other key (user additions) keeps the request on moleculer-web's path. */
const OWN_OPTIONS = new Set(['name', 'path', 'whitelist', 'autoAliases', 'mappingPolicy', 'bodyParsers', 'mergeParams', 'logging', 'aliases', 'onError']);

/** The alias function for `handler` (a plain function, see webhooks.ts), marked so the gateway may run `handler` directly. */
export function laneAlias(handler: Handler) {
  const alias = function (this: unknown, req: IncomingMessage, res: ServerResponse) { void handler.call(this, req, res); };
  LANES.set(alias, handler);
  return alias;
}

/** Routes judged by {@link plainRoute}: moleculer-web builds a route object once (a changed route is a new object). */
const PLAIN = new WeakMap<Route, boolean>();

/** Whether `route` is as `webhookRoutes()` made it: no middleware, CORS, rate limit, auth, nor any option of the user's. */
function plainRoute(route: Route): boolean {
  let plain = PLAIN.get(route);
  if (plain === undefined) {
    const opts = route.opts ?? {};
    plain = route.opts !== undefined && (route.middlewares?.length ?? 0) === 0 && !route.cors && !route.rateLimit && !route.authentication
      && !route.authorization && Object.keys(opts).every((key) => OWN_OPTIONS.has(key) || opts[key] === undefined);
    PLAIN.set(route, plain);
  }
  return plain;
}

/** The handler to run directly for this request, or undefined to go through moleculer-web. */
export function laneHandler(gateway: Gateway, found: FoundAlias | false | null | undefined): Handler | undefined {
  if (!found) return undefined;
  const handler = LANES.get(found.alias.handler as object);
  const route = found.alias.route;
  if (!handler || !route || !plainRoute(route)) return undefined;
  if ((gateway.settings as { rootCallOptions?: unknown }).rootCallOptions || gateway.broker.isTracingEnabled()) return undefined;
  return handler;
}

/** Runs `handler` as the alias would: a root context (the request id from `X-Correlation-ID` / `X-Request-ID`, echoed back), the path parameters. */
export function runLane(gateway: Gateway, handler: Handler, found: FoundAlias, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const h = req.headers;
  const requestID = h['x-correlation-id'] ?? h['x-request-id'];
  const broker = gateway.broker as ServiceBroker & { ContextFactory: { create(b: ServiceBroker, e: null, p: object, o: object): Context } };
  const ctx = broker.ContextFactory.create(broker, null, {}, { requestID });
  if (ctx.requestID) res.setHeader('X-Request-ID', ctx.requestID);
  const r = req as LaneRequest;
  r.$ctx = ctx;
  r.$service = gateway;
  r.$route = found.alias.route;
  r.$params = { params: found.params ?? {} };
  return handler.call(gateway, req, res);
}
