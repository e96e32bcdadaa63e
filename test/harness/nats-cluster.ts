/**
 * A real 3-node NATS cluster on loopback for integration tests: three `nats-server` processes with
 * JetStream and cluster routes, each from a generated config file (server_name, cluster name, routes,
 * its own store dir), started together; resolves once JetStream has a meta leader.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { freePort } from './servers';

export interface ClusterNode {
  /** `server_name` in the config (what JetStream reports as a stream's `cluster.leader`). */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly routePort: number;
  readonly configFile: string;
  readonly running: boolean;
  /** SIGKILL, as a crash would; the store dir stays. */
  kill(): Promise<void>;
  /** SIGTERM. */
  stop(): Promise<void>;
  /** Start again with the same config and store. */
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly name: string;
  readonly nodes: readonly ClusterNode[];
  /** Every client URL, comma-separated (what NATS_URL takes). */
  readonly urls: string;
  /** The node named `serverName`. */
  node(serverName: string): ClusterNode;
  /** Resolves once the JetStream meta group has a leader (asked through a running node). */
  waitForMetaLeader(timeoutMs?: number): Promise<void>;
  /** The server name leading stream `stream` (JetStream stream info `cluster.leader`). */
  streamLeader(stream: string): Promise<string>;
  /** Kills every node and removes the configs and stores. */
  cleanup(): Promise<void>;
}

export interface NatsClusterOptions {
  /** Cluster name. Default `switchboard-test`. */
  name?: string;
  /** Nodes. Default 3. */
  size?: number;
  /** Extra lines for the `jetstream {}` block of every node (e.g. `sync_interval: always` on nats-server ≥ 2.10). */
  jetstreamExtra?: string;
}

function requireNatsServer(): string {
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) throw new Error('The cluster test needs `nats-server` (apt-get install -y nats-server, or put it on PATH).');
  return path;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = netConnect(port, '127.0.0.1');
    const done = (v: boolean) => { sock.destroy(); resolve(v); };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('data', (d) => done(d.toString().startsWith('INFO')));
  });
}

/** The config file of one node: what docs/deploy.md shows, with loopback addresses and test ports. */
export function clusterNodeConfig(o: { serverName: string; clusterName: string; port: number; routePort: number; routes: number[]; storeDir: string; jetstreamExtra?: string }): string {
  return [
    `server_name: ${o.serverName}`,
    `listen: 127.0.0.1:${o.port}`,
    'jetstream {',
    `  store_dir: "${o.storeDir}"`,
    ...(o.jetstreamExtra ? [`  ${o.jetstreamExtra}`] : []),
    '}',
    'cluster {',
    `  name: ${o.clusterName}`,
    `  listen: 127.0.0.1:${o.routePort}`,
    '  routes: [',
    ...o.routes.map((p) => `    nats-route://127.0.0.1:${p}`),
    '  ]',
    '}',
    '',
  ].join('\n');
}

export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const bin = requireNatsServer();
  const clusterName = options.name ?? 'switchboard-test';
  const size = options.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-'));
  const ports: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) { ports.push(await freePort()); routePorts.push(await freePort()); }

  const nodes: Array<ClusterNode & { output: string }> = [];
  for (let i = 0; i < size; i++) {
    const serverName = `n${i + 1}`;
    const storeDir = join(dir, serverName);
    mkdirSync(storeDir, { recursive: true });
    const configFile = join(dir, `${serverName}.conf`);
    writeFileSync(configFile, clusterNodeConfig({
      serverName, clusterName, port: ports[i]!, routePort: routePorts[i]!, storeDir,
      routes: routePorts.filter((_, j) => j !== i), jetstreamExtra: options.jetstreamExtra,
    }));
    let child: ChildProcess | null = null;
    const node = {
      name: serverName, url: `nats://127.0.0.1:${ports[i]}`, port: ports[i]!, routePort: routePorts[i]!, configFile, output: '',
      get running() { return child !== null; },
      async start() {
        if (child) return;
        node.output = '';
        const c = spawn(bin, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
        child = c;
        c.stdout?.on('data', (d) => { node.output = (node.output + d).slice(-20_000); });
        c.stderr?.on('data', (d) => { node.output = (node.output + d).slice(-20_000); });
        c.once('exit', () => { if (child === c) child = null; });
        const deadline = Date.now() + 15_000;
        while (!(await portOpen(node.port))) {
          if (child !== c) throw new Error(`nats-server ${serverName} exited before it was ready:\n${node.output.slice(-2000)}`);
          if (Date.now() > deadline) throw new Error(`nats-server ${serverName} did not listen within 15 s:\n${node.output.slice(-2000)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async kill() { await signal('SIGKILL'); },
      async stop() { await signal('SIGTERM'); },
    };
    const signal = async (sig: NodeJS.Signals) => {
      const c = child;
      if (!c) return;
      child = null;
      const exited = c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()));
      c.kill(sig);
      await exited;
    };
    nodes.push(node);
  }

  const withConnection = async <T>(fn: (nc: NatsConnection) => Promise<T>): Promise<T> => {
    const running = nodes.filter((n) => n.running).map((n) => n.url);
    const nc = await connect({ servers: running, reconnect: false, timeout: 2_000 });
    try { return await fn(nc); } finally { await nc.close(); }
  };

  const cluster: NatsCluster = {
    name: clusterName,
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    node(serverName) {
      const n = nodes.find((x) => x.name === serverName);
      if (!n) throw new Error(`no node named ${serverName} (have ${nodes.map((x) => x.name).join(', ')})`);
      return n;
    },
    async waitForMetaLeader(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < deadline) {
        try {
          // answers only once the meta group has a leader ("JetStream system temporarily unavailable" before)
          await withConnection(async (nc) => { await (await nc.jetstreamManager()).getAccountInfo(); });
          return;
        } catch (err) {
          last = err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      throw new Error(`no JetStream meta leader within ${timeoutMs} ms: ${(last as Error)?.message}\n${nodes.map((n) => `${n.name}: ${n.output.slice(-800)}`).join('\n')}`);
    },
    async streamLeader(stream) {
      return withConnection(async (nc) => {
        const info = await (await nc.jetstreamManager()).streams.info(stream);
        const leader = info.cluster?.leader;
        if (!leader) throw new Error(`stream ${stream} has no leader right now`);
        return leader;
      });
    },
    async cleanup() {
      for (const n of nodes) await n.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    await Promise.all(nodes.map((n) => n.start()));
    await cluster.waitForMetaLeader();
  } catch (err) {
    await cluster.cleanup();
    throw err;
  }
  return cluster;
}
