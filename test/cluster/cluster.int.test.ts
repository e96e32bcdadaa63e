/**
 * A 3-node NATS cluster (JetStream, R3 streams) under two Switchboard nodes and Redis: unique webhooks are
 * driven at both nodes while the stream leader's server and one Switchboard node are SIGKILLed. Afterwards
 * every event answered 2xx is stored exactly once, and so is every event answered 5xx (or not at all) once
 * retried after recovery, as a platform would. The ledger (event id → answers; stored msg ids) is printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'nats';
import { channelNames, streamNameFor } from '../../src/channels';
import { startNatsCluster, type NatsCluster } from '../harness/nats-cluster';
import { freePort, startRedis, type ServerProcess } from '../harness/servers';
import { acmeBody, freshNamespace, postAcme } from '../integration/stack';

jest.setTimeout(180_000);

const NODE_SCRIPT = join(__dirname, 'switchboard-node.ts');
const CHANNELS = ['c1', 'c2'];
/** The schedule, ms from the start of the load. */
const KILL_STREAM_LEADER_AT = 4_000;
const KILL_SWITCHBOARD_NODE_AT = 8_000;
const RESTART_NATS_AT = 12_000;
const LOAD_FOR = 18_000;
const WORKERS = 6;

interface SwitchboardNode { name: string; url: string; child: ChildProcess; alive: boolean; output: () => string }

async function startSwitchboardNode(name: string, env: Record<string, string>): Promise<SwitchboardNode> {
  const port = await freePort();
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['NATS_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(k) && !k.startsWith('SWITCHBOARD_')));
  const child = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT], {
    cwd: join(__dirname, '..', '..'),
    env: { ...base, ...env, PORT: String(port), SWITCHBOARD_NODE_ID: name, CLUSTER_CHANNELS: CHANNELS.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const node: SwitchboardNode = { name, url: `http://127.0.0.1:${port}`, child, alive: true, output: () => output };
  child.once('exit', () => { node.alive = false; });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 60 s:\n${output.slice(-3000)}`)), 60_000);
    child.stdout?.on('data', (d) => { output += d; if (output.includes('READY')) { clearTimeout(timer); resolve(); } });
    child.stderr?.on('data', (d) => { output += d; });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code}:\n${output.slice(-3000)}`)); });
  });
  return node;
}

function killNode(node: SwitchboardNode): Promise<void> {
  if (!node.alive) return Promise.resolve();
  const exited = new Promise<void>((r) => node.child.once('exit', () => r()));
  node.child.kill('SIGKILL');
  return exited;
}

type Answer = number | 'no answer';
const isOk = (a: Answer) => typeof a === 'number' && a >= 200 && a < 300;

/** Every `Nats-Msg-Id` in the stream, counted. */
async function storedMsgIds(urls: string[], stream: string): Promise<Map<string, number>> {
  const nc = await connect({ servers: urls, timeout: 5_000 });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const counts = new Map<string, number>();
    for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
      // a sequence with no message was deleted; any other error (a timeout while the cluster settles) is retried
      let m: Awaited<ReturnType<typeof jsm.streams.getMessage>> | null = null;
      for (let attempt = 1; ; attempt++) {
        try {
          m = await jsm.streams.getMessage(stream, { seq });
          break;
        } catch (err) {
          if (/no message found/i.test((err as Error).message)) break;
          if (attempt >= 10) throw new Error(`reading ${stream} seq ${seq}: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      const id = m?.header?.get('Nats-Msg-Id');
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  } finally {
    await nc.close();
  }
}

describe('a 3-node NATS cluster loses its stream leader and a Switchboard node mid-load', () => {
  let cluster: NatsCluster;
  let redis: ServerProcess;
  const nodes: SwitchboardNode[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster();
    redis = await startRedis();
  });

  afterAll(async () => {
    for (const n of nodes) await killNode(n);
    await cluster?.cleanup();
    await redis?.cleanup();
  });

  it('stores every event answered 2xx exactly once, and every retried 5xx one too', async () => {
    const namespace = freshNamespace('cl');
    const env = { NATS_URL: cluster.urls, REDIS_URL: redis.url, SWITCHBOARD_NAMESPACE: namespace, SWITCHBOARD_STREAM_REPLICAS: '3' };
    nodes.push(await startSwitchboardNode('sb-a', env));
    nodes.push(await startSwitchboardNode('sb-b', env));
    const [a, b] = nodes as [SwitchboardNode, SwitchboardNode];

    const stream = streamNameFor(channelNames(namespace).MESSAGE_RECEIVED);
    const nc = await connect({ servers: cluster.urls.split(',') });
    const info = await (await nc.jetstreamManager()).streams.info(stream);
    await nc.close();
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas?.length).toBe(2);

    // ── the load, with the faults on a schedule ──
    const ledger = new Map<string, { channel: string; answers: Answer[] }>();
    const post = async (eventId: string, node: SwitchboardNode): Promise<Answer> => {
      const entry = ledger.get(eventId)!;
      let answer: Answer;
      try {
        answer = (await postAcme(node.url, entry.channel, acmeBody(eventId, `text of ${eventId}`))).status;
      } catch {
        answer = 'no answer';
      }
      entry.answers.push(answer);
      return answer;
    };
    const started = Date.now();
    const faults: string[] = [];
    let leaderKilled = '';
    const schedule = (async () => {
      await new Promise((r) => setTimeout(r, KILL_STREAM_LEADER_AT));
      leaderKilled = await cluster.streamLeader(stream);
      await cluster.node(leaderKilled).kill();
      faults.push(`${Date.now() - started} ms: killed NATS ${leaderKilled}, the leader of ${stream}`);
      await new Promise((r) => setTimeout(r, KILL_SWITCHBOARD_NODE_AT - (Date.now() - started)));
      await killNode(a);
      faults.push(`${Date.now() - started} ms: killed Switchboard node ${a.name}`);
      await new Promise((r) => setTimeout(r, RESTART_NATS_AT - (Date.now() - started)));
      await cluster.node(leaderKilled).start();
      faults.push(`${Date.now() - started} ms: restarted NATS ${leaderKilled}`);
    })();
    let counter = 0;
    const worker = async (w: number) => {
      while (Date.now() - started < LOAD_FOR) {
        const eventId = `ev-${w}-${counter++}`;
        ledger.set(eventId, { channel: CHANNELS[counter % CHANNELS.length]!, answers: [] });
        // a load balancer: both nodes while they live, then the survivor
        const live = nodes.filter((n) => n.alive);
        await post(eventId, live[counter % live.length]!);
      }
    };
    await Promise.all([schedule, ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);

    const firstAnswers = [...ledger.values()].map((e) => e.answers[0]!);
    const answeredOk = new Set([...ledger].filter(([, e]) => e.answers.some(isOk)).map(([id]) => id));
    const toRetry = [...ledger.keys()].filter((id) => !answeredOk.has(id));

    // ── recovery: the platform retries what was not answered 2xx, at the surviving node ──
    const retryDeadline = Date.now() + 60_000;
    let pending = toRetry;
    while (pending.length > 0 && Date.now() < retryDeadline) {
      const next: string[] = [];
      for (const id of pending) if (!isOk(await post(id, b))) next.push(id);
      pending = next;
      if (pending.length) await new Promise((r) => setTimeout(r, 1_000));
    }

    const finalLeader = await cluster.streamLeader(stream);
    const live = cluster.nodes.filter((n) => n.running).map((n) => n.url);
    const stored = await storedMsgIds(live, stream);
    const msgId = (id: string) => `acme:${ledger.get(id)!.channel}:${id}:0`;
    const storedTwice = [...ledger.keys()].filter((id) => (stored.get(msgId(id)) ?? 0) > 1);
    const okNotStored = [...answeredOk].filter((id) => (stored.get(msgId(id)) ?? 0) !== 1);
    const retriedNotStored = toRetry.filter((id) => (stored.get(msgId(id)) ?? 0) !== 1);
    const foreign = [...stored.keys()].filter((k) => !ledger.has(k.split(':')[2] ?? ''));

    const detail = (ids: string[]) => ids.slice(0, 10).map((id) => `${id} ${JSON.stringify(ledger.get(id)!.answers)} stored ${stored.get(msgId(id)) ?? 0}x`).join('; ');
    const tally = (answers: Answer[]) => answers.reduce<Record<string, number>>((acc, x) => { acc[String(x)] = (acc[String(x)] ?? 0) + 1; return acc; }, {});
    // eslint-disable-next-line no-console
    console.log([
      'cluster ledger',
      ...faults.map((f) => `  ${f}`),
      `  events: ${ledger.size}; first answers: ${JSON.stringify(tally(firstAnswers))}`,
      `  stream leader after recovery: ${finalLeader} (was ${leaderKilled})`,
      `  answered 2xx during the load: ${answeredOk.size}; retried after recovery: ${toRetry.length} (still not 2xx: ${pending.length})`,
      `  all answers: ${JSON.stringify(tally([...ledger.values()].flatMap((e) => e.answers)))}`,
      `  stored msg ids: ${stored.size}; stored twice: ${storedTwice.length}; 2xx but not stored once: ${okNotStored.length}; retried but not stored once: ${retriedNotStored.length}; not in the ledger: ${foreign.length}`,
      ...(storedTwice.length + okNotStored.length + retriedNotStored.length ? [`  problems: ${detail([...storedTwice, ...okNotStored, ...retriedNotStored])}`] : []),
    ].join('\n'));

    expect(faults).toHaveLength(3);
    // The stream has a leader again. Not necessarily another server: when the survivors have not elected one
    // before the killed server returns (seen in CI on a loaded machine, the JetStream API timing out meanwhile),
    // it may win the leadership back. Which server leads is NATS's choice; the ledger below is our promise.
    expect(finalLeader).toMatch(/^n[123]$/);
    expect(ledger.size).toBeGreaterThan(50);
    // the faults bit: some event was answered 5xx or not at all
    expect(toRetry.length).toBeGreaterThan(0);
    expect(pending).toEqual([]);
    expect(storedTwice).toEqual([]);
    expect(okNotStored).toEqual([]);
    expect(retriedNotStored).toEqual([]);
    expect(foreign).toEqual([]);
    expect(stored.size).toBe(ledger.size);
  });
});
