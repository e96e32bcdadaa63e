/** Two brokers over real NATS: a defineService service on A, called from B; its datasource serves the call. */
import { ServiceBroker } from 'moleculer';
import { defineService } from '../../src/index';
import { Datasource } from '../../src/entries/service';
import { suiteServers } from '../harness/suite';

class DirectoryDatasource extends Datasource {
  connected = false;
  readonly calls: string[] = [];
  connect(): void { this.connected = true; }
  disconnect(): void { this.connected = false; }
  lookup(id: string): { id: string; servedBy: string; connected: boolean } {
    this.calls.push(id);
    return { id, servedBy: this.broker.nodeID, connected: this.connected };
  }
}

describe('defineService across the NATS transporter', () => {
  const stack = suiteServers({ redis: false });
  let a: ServiceBroker;
  let b: ServiceBroker;
  const seen: unknown[] = [];

  beforeAll(async () => {
    const common = { logger: false as const, transporter: stack.nats().url, namespace: `sb-${process.pid}` };
    a = new ServiceBroker({ ...common, nodeID: 'node-a' });
    b = new ServiceBroker({ ...common, nodeID: 'node-b' });
    stack.suiteBrokers.push(a, b);
    a.createService(defineService({
      name: 'directory',
      datasources: { dir: DirectoryDatasource },
      actions: {
        find: {
          params: { id: 'string' },
          handler(ctx) {
            ctx.ensurePermission('directory:read');
            return { ...ctx.datasources.dir.lookup(ctx.params.id), tenant: ctx.meta.tenantId, caller: ctx.nodeID };
          },
        },
      },
      events: {
        'directory.touched': {
          params: { id: 'string' },
          handler(ctx) { seen.push({ id: ctx.params.id, servedBy: ctx.datasources.dir.lookup(ctx.params.id).servedBy, from: ctx.nodeID }); },
        },
      },
    }));
    await Promise.all([a.start(), b.start()]);
    await b.waitForServices('directory', 10_000);
  });

  it('serves a call from broker B on broker A, through the datasource, with meta carried', async () => {
    const meta = { tenantId: 't-9', user: { id: 'u', permissions: ['directory:read'] } };
    const res = await b.call('directory.find', { id: 'x1' }, { meta });
    expect(res).toEqual({ id: 'x1', servedBy: 'node-a', connected: true, tenant: 't-9', caller: 'node-b' });
  });

  it('carries a 403 from the permission helpers back to the caller', async () => {
    const err = (await b.call('directory.find', { id: 'x2' }, { meta: { user: { id: 'u', permissions: [] } } })
      .catch((e: unknown) => e)) as { code?: number; type?: string; message?: string; nodeID?: string };
    expect(err).toMatchObject({ code: 403, type: 'FORBIDDEN', message: "Permission 'directory:read' is required", nodeID: 'node-a' });
  });

  it('validates params on the serving node', async () => {
    const err = (await b.call('directory.find', { id: 5 }, { meta: { user: { id: 'u', permissions: ['*'] } } })
      .catch((e: unknown) => e)) as { code?: number; type?: string };
    expect(err).toMatchObject({ code: 422, type: 'VALIDATION_ERROR' });
  });

  it('delivers an event from B to A, where the handler uses the datasource', async () => {
    await b.emit('directory.touched', { id: 'e1' });
    const end = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    expect(seen).toEqual([{ id: 'e1', servedBy: 'node-a', from: 'node-b' }]);
  });
});
