/** Start-up failures an operator can act on: NATS unreachable or without JetStream, and configuration errors, said in one line. */
import { inspect } from 'node:util';
import type { Middleware } from 'moleculer';
import { ConfigError } from '../errors';

/** Codes nats.js gives a connection that never opened. */
const UNREACHABLE = new Set(['CONNECTION_REFUSED', 'TIMEOUT', 'ENOTFOUND', 'ECONNREFUSED', 'EHOSTUNREACH']);

/**
 * A ConfigError that prints in one line: its stack is `ConfigError: <message>` and `util.inspect`
 * gives `[ConfigError <variable> <reason>]`, so a runner that logs the error prints no trace (the cause's code is in `data`).
 */
export function shortConfigError(message: string, data: Record<string, unknown>, cause?: unknown): ConfigError {
  const causeCode = (cause as { code?: unknown } | null)?.code;
  const err = new ConfigError(message, { ...data, ...(causeCode !== undefined ? { cause: String(causeCode) } : {}) });
  const line = `ConfigError: ${message}`;
  Object.defineProperty(err, 'stack', { value: line, enumerable: false, writable: true, configurable: true });
  // runners print `message` then the inspected error: keep the second short
  const tag = `[ConfigError ${[data.variable, data.reason].filter(Boolean).join(' ')}]`;
  Object.defineProperty(err, inspect.custom, { value: () => tag, enumerable: false });
  return err;
}

/**
 * Turns a failure to open the channels' NATS connection into an error naming NATS_URL and JetStream (or
 * SWITCHBOARD_STREAM_REPLICAS when the NATS cannot hold that many replicas); other errors pass.
 */
export function explainNatsStartError(err: unknown, natsUrl: string, replicas?: number): unknown {
  const e = err as { code?: unknown; message?: unknown; api_error?: { code?: number } } | null;
  const code = String(e?.code ?? '');
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (replicas !== undefined && replicas > 1 && /replicas > 1 not supported|insufficient resources|no suitable peers/i.test(message)) {
    const why = /replicas > 1 not supported/i.test(message) ? 'is a single server, not a cluster' : 'has too few JetStream servers up';
    return shortConfigError(
      `SWITCHBOARD_STREAM_REPLICAS is ${replicas}, but the NATS at NATS_URL (${natsUrl}) ${why}: ${message.replace(/^channels: /, '')}. Run a cluster of at least ${replicas} JetStream servers, or lower SWITCHBOARD_STREAM_REPLICAS.`,
      { variable: 'SWITCHBOARD_STREAM_REPLICAS', reason: 'REPLICAS_UNAVAILABLE' }, err);
  }
  if (code === '503' || /no responders|jetstream not enabled/i.test(message)) {
    return shortConfigError(
      `NATS_URL (${natsUrl}) answers, but JetStream is not enabled there. Start nats-server with -js (or a "jetstream {}" block in its config); Switchboard stores webhooks in JetStream streams.`,
      { variable: 'NATS_URL', reason: 'JETSTREAM_DISABLED' }, err);
  }
  if (UNREACHABLE.has(code) || /ECONNREFUSED|connection refused|ENOTFOUND/i.test(message)) {
    return shortConfigError(
      `NATS_URL (${natsUrl}) is unreachable (${code || message}). Start nats-server with JetStream (nats-server -js) there, or point NATS_URL at your NATS cluster.`,
      { variable: 'NATS_URL', reason: 'UNREACHABLE' }, err);
  }
  return err;
}

/** Wraps a middleware's `starting` hook so NATS start-up failures are explained (see {@link explainNatsStartError}). */
export function explainStartFailures<M extends Middleware>(mw: M, natsUrl: string | undefined, replicas?: number): M {
  const starting = (mw as { starting?: (broker: unknown) => unknown }).starting;
  if (!natsUrl || typeof starting !== 'function') return mw;
  return Object.assign(mw, {
    starting: async (broker: unknown) => {
      try {
        await starting.call(mw, broker);
      } catch (err) {
        throw explainNatsStartError(err, natsUrl, replicas);
      }
    },
  });
}

/**
 * Runs `build` (e.g. `createBrokerConfig`) and, on a `ConfigError`, prints its message alone and
 * exits with status 1 — for `moleculer.config.ts`, so a bad variable reads as one line.
 */
export function configOrExit<T>(build: () => T, exit: (code: number) => never = (code) => process.exit(code)): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Switchboard configuration error: ${err.message}`);
      return exit(1);
    }
    throw err;
  }
}
