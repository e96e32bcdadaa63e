/**
 * The lifecycle most integration suites share: one nats-server and one redis-server for the suite (only the
 * nats-server with suiteServers({ redis: false })), and the brokers a test starts stopped after it. Call at the top
 * of a test file; read the servers inside tests.
 *
 *   const stack = suiteServers();
 *   ... makeBroker({ natsUrl: stack.nats().url, redisUrl: stack.redis().url }); stack.brokers.push(b);
 *
 * Brokers a suite's own beforeAll starts (declared after this call, so it runs once the servers are up) go in
 * stack.suiteBrokers: they are stopped at the end of the suite, before the servers are cleaned up.
 */
import type { ServiceBroker } from 'moleculer';
import { startNats, startRedis, type ServerProcess } from './servers';

export interface SuiteServersOptions {
  /** false: start no redis-server (a NATS-only suite); stack.redis() then throws. Default true. */
  redis?: boolean;
}

export interface SuiteServers {
  nats(): ServerProcess;
  /** Throws in a suite set up with { redis: false }. */
  redis(): ServerProcess;
  /** Brokers to stop after the current test. */
  brokers: ServiceBroker[];
  /**
   * Brokers to stop after the suite's last test, in suiteServers' own afterAll before the servers go: an afterAll
   * of the suite's own would run after that cleanup (Jest runs a block's afterAll hooks in the order declared).
   */
  suiteBrokers: ServiceBroker[];
}

/**
 * Stops a broker, then cancels the debounced calls Moleculer and moleculer-web leave pending after a stop
 * (the node's INFO broadcast, 1 s; the gateway's auto-alias regeneration, 0.5 s): on a broker stopped soon after
 * it started they kept the Jest worker alive past its exit when this suite ran last ("failed to exit gracefully").
 */
async function stopBroker(broker: ServiceBroker): Promise<void> {
  const services = [...broker.services];
  try {
    await broker.stop();
  } finally {
    type Debounced = { cancel?: () => void } | undefined;
    (broker as unknown as { localServiceChanged?: Debounced }).localServiceChanged?.cancel?.();
    for (const s of services) (s as unknown as { regenerateAllAutoAliases?: Debounced }).regenerateAllAutoAliases?.cancel?.();
  }
}

export function suiteServers({ redis: withRedis = true }: SuiteServersOptions = {}): SuiteServers {
  let nats: ServerProcess | undefined;
  let redis: ServerProcess | undefined;
  const brokers: ServiceBroker[] = [];
  const suiteBrokers: ServiceBroker[] = [];
  beforeAll(async () => { [nats, redis] = await Promise.all([startNats(), withRedis ? startRedis() : undefined]); }, 30_000);
  afterEach(async () => { await Promise.allSettled(brokers.splice(0).map(stopBroker)); });
  afterAll(async () => {
    await Promise.allSettled(suiteBrokers.splice(0).map(stopBroker));
    await Promise.allSettled([nats?.cleanup(), redis?.cleanup()]);
  });
  const started = (s: ServerProcess | undefined, name: string) => {
    if (!s) throw new Error(`suiteServers: ${name} is read before the suite's beforeAll ran`);
    return s;
  };
  const redisServer = () => {
    if (!withRedis) throw new Error('suiteServers: this suite was set up with { redis: false }, so it has no redis-server');
    return started(redis, 'redis-server');
  };
  return { nats: () => started(nats, 'nats-server'), redis: redisServer, brokers, suiteBrokers };
}
