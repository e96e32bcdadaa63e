/** SWITCHBOARD_NAMESPACE is the Moleculer namespace: brokers of one namespace see each other on NATS, another namespace's brokers do not. */
import { ServiceBroker } from 'moleculer';
import { createBrokerConfig } from '../../src/config';
import { suiteServers } from '../harness/suite';
import { freshNamespace } from '../integration/stack';

describe('namespace isolation on one NATS', () => {
  const stack = suiteServers({ redis: false });
  const nsA = freshNamespace('nsa');
  const nsB = freshNamespace('nsb');

  const make = (nodeID: string, namespace: string, answer: string) => {
    const broker = new ServiceBroker(createBrokerConfig({
      env: { NATS_URL: stack.nats().url, SWITCHBOARD_NAMESPACE: namespace, SWITCHBOARD_NODE_ID: nodeID },
      overrides: { logger: false, requestTimeout: 2_000 },
    }));
    broker.createService({ name: `who-${nodeID}`, actions: { hi: () => answer } });
    stack.suiteBrokers.push(broker);
    return broker;
  };

  it('joins its own namespace only', async () => {
    const a1 = make('a1', nsA, 'from a2');
    const a2 = make('a2', nsA, 'from a2');
    const b1 = make('b1', nsB, 'from b1');
    await Promise.all([a1.start(), a2.start(), b1.start()]);
    expect(a1.namespace).toBe(nsA);
    await a1.waitForServices(['who-a2'], 10_000);
    expect(await a1.call('who-a2.hi')).toBe('from a2');
    // b1 has been up as long as a2: had it joined, it would be known by now
    await new Promise((r) => setTimeout(r, 1_000));
    expect(a1.registry.nodes.list({ onlyAvailable: true, withServices: false }).map((n: { id: string }) => n.id).sort()).toEqual(['a1', 'a2']);
    await expect(a1.call('who-b1.hi')).rejects.toMatchObject({ name: 'ServiceNotFoundError' });
    await expect(b1.call('who-a2.hi')).rejects.toMatchObject({ name: 'ServiceNotFoundError' });
  });
});
