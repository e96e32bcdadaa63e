/**
 * A `webhooks` node in its own process, for the kill tests: `WH_CONFIG` holds
 * `{ nodeID, namespace, natsUrl, redisUrl, subscriptions: [{ sub, secrets }], options }`. Prints `ready` once started.
 */
import { startWebhooksNode, TestLookup } from './helpers';
import type { Subscription } from '../../../src/webhooks-out/types';

interface Config {
  nodeID: string; namespace: string; natsUrl: string; redisUrl: string;
  subscriptions: Array<{ sub: Subscription; secrets: string[] }>;
  options: Record<string, unknown>;
}

async function main() {
  const cfg = JSON.parse(process.env.WH_CONFIG ?? '{}') as Config;
  const lookup = new TestLookup();
  for (const { sub, secrets } of cfg.subscriptions) lookup.add(sub, secrets);
  await startWebhooksNode({ nodeID: cfg.nodeID, namespace: cfg.namespace, natsUrl: cfg.natsUrl, redisUrl: cfg.redisUrl, lookup, options: cfg.options, transporter: false });
  process.stdout.write('ready\n');
}

main().catch((err) => { process.stderr.write(`worker failed: ${String(err?.stack ?? err)}\n`); process.exit(1); });
