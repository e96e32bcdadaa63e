/**
 * `createTracingMiddleware`: follows a webhook from the gateway to its consumers with Moleculer's tracer.
 * An action's context is carried (AsyncLocalStorage) to the `sendToChannel` calls it makes, so the
 * published message holds the trace headers; a consumer with `context: true` gets a `channel` span under
 * the action's span, tagged with event id, tenant, channel and integration. Inert with tracing off.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Middleware, ServiceBroker } from 'moleculer';
import { switchboardSpanTags } from './tracing';

type Handler = (...args: unknown[]) => Promise<unknown>;
type Span = { setError(err: Error): void };
type TracedContext = Context & {
  requestID?: string; parentID?: string; tracing?: boolean;
  startSpan(name: string, opts: Record<string, unknown>): Span; finishSpan(span: Span): void;
};

const current = new AsyncLocalStorage<TracedContext>();

/** The trace fields of `ctx` the channels middleware turns into headers — no `meta` (it may hold caller data). */
function traceOf(ctx: TracedContext) {
  return { requestID: ctx.requestID, id: ctx.id, tracing: ctx.tracing, level: ctx.level, service: ctx.service, meta: {} };
}

export function createTracingMiddleware(): Middleware {
  let broker: ServiceBroker;
  const on = () => broker?.isTracingEnabled() === true;
  return {
    name: 'SwitchboardTracing',
    created(b: ServiceBroker) { broker = b; },
    localAction(handler: Handler) {
      return (ctx: unknown, ...rest: unknown[]) => (on() ? current.run(ctx as TracedContext, () => handler(ctx, ...rest)) : handler(ctx, ...rest));
    },
    sendToChannel(next: Handler) {
      return (channel: unknown, payload: unknown, opts?: { ctx?: unknown }) => {
        const ctx = on() && !opts?.ctx ? current.getStore() : undefined;
        return next(channel, payload, ctx ? { ...opts, ctx: traceOf(ctx) } : opts);
      };
    },
    localChannel(handler: Handler, chan: { name?: string; group?: string }) {
      return (first: unknown, ...rest: unknown[]) => {
        const ctx = first as TracedContext | null;
        if (!on() || typeof ctx?.startSpan !== 'function') return handler(first, ...rest);
        const span = ctx.startSpan(`channel '${chan.name}'`, {
          id: ctx.id, type: 'channel', traceID: ctx.requestID ?? ctx.id, parentID: ctx.parentID, service: ctx.service, sampled: ctx.tracing,
          tags: { chan: { name: chan.name, group: chan.group }, ...switchboardSpanTags(ctx) },
        });
        return handler(first, ...rest).then(
          (res) => { ctx.finishSpan(span); return res; },
          (err: unknown) => { span.setError(err as Error); ctx.finishSpan(span); throw err; },
        );
      };
    },
  } as unknown as Middleware;
}

/**
 * Runs `fn` as the action `ctx` stands for when it is not reached through a broker call (the gateway's
 * in-process webhook path): an `action` span like Moleculer's tracing middleware makes (Switchboard's tags), and
 * the context carried to the `sendToChannel` calls inside. Just `fn()` with tracing off.
 */
export function traceAction<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  if (!ctx.broker.isTracingEnabled()) return fn();
  const c = ctx as TracedContext;
  const span = c.startSpan(`action '${ctx.action?.name}'`, {
    id: c.id, type: 'action', traceID: c.requestID, parentID: c.parentID, service: c.service, sampled: c.tracing,
    tags: { callingLevel: c.level, action: { name: ctx.action?.name, rawName: (ctx.action as { rawName?: string } | undefined)?.rawName }, remoteCall: false, nodeID: ctx.broker.nodeID, requestID: c.requestID, ...switchboardSpanTags(ctx) },
  }) as Span & { sampled?: boolean; addTags?(tags: Record<string, unknown>): void };
  c.tracing = span.sampled === true;
  return current.run(c, fn).then(
    (res) => { span.addTags?.(switchboardSpanTags(ctx, res)); c.finishSpan(span); return res; },
    (err: unknown) => { span.setError(err as Error); c.finishSpan(span); throw err; },
  );
}
