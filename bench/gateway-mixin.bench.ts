/**
 * The cost of gatewayMixin's front check (method/target/percent-decoding checks before moleculer-web
 * routes) and its server settings: moleculer-web's ApiGateway vs gatewayMixin() on one in-memory broker,
 * the same trivial alias (`GET /ping`), autocannon with 20 connections, alternating rounds. Prints req/s
 * and p99 per round and the ratio of medians.
 *
 *   npx tsx bench/gateway-mixin.bench.ts     # BENCH_ROUNDS=3 BENCH_SECONDS=5 by default
 */
import { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { gatewayMixin } from '../src/gateway';
import { freePort } from '../test/harness/servers';

// autocannon ships no types; this is the part used here.
const autocannon = require('autocannon') as (o: Record<string, unknown>) => Promise<{ requests: { average: number }; latency: { p99: number }; non2xx: number }>; // eslint-disable-line @typescript-eslint/no-require-imports

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

async function main() {
  const [plainPort, hardPort] = [await freePort(), await freePort()];
  const route = { path: '/', autoAliases: false, mappingPolicy: 'restrict', bodyParsers: false, logging: false, aliases: { 'GET ping': (_req: unknown, res: { setHeader(k: string, v: string): void; end(b: string): void }) => { res.setHeader('Content-Type', 'application/json'); res.end('{"ok":true}'); } } };
  const broker = new ServiceBroker({ logger: false, transporter: null });
  broker.createService({ name: 'plain', mixins: [ApiGateway], settings: { port: plainPort, ip: '127.0.0.1', routes: [route] } });
  broker.createService({ name: 'hardened', mixins: [gatewayMixin()], settings: { port: hardPort, ip: '127.0.0.1', routes: [route] } });
  await broker.start();
  const results: Record<string, number[]> = { plain: [], hardened: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, port] of [['plain', plainPort], ['hardened', hardPort]] as const) {
      const r = await autocannon({ url: `http://127.0.0.1:${port}/ping`, connections: 20, duration: SECONDS });
      if (r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} non-2xx answers`);
      results[name]!.push(r.requests.average);
      console.log(`round ${round} ${name.padEnd(8)} ${Math.round(r.requests.average)} req/s  p99 ${r.latency.p99} ms`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`median plain ${Math.round(median(results.plain!))} req/s, hardened ${Math.round(median(results.hardened!))} req/s, ratio ${(median(results.hardened!) / median(results.plain!)).toFixed(3)}`);
  await broker.stop();
}

void main();
