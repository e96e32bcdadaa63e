/**
 * The cost of the unconfirmed-publish lookup (`findMessageInStream`): one scan of a subject's msg-id
 * headers from a time on, on a real nats-server, for 1 000 / 10 000 / 100 000 messages in range.
 * Run: `node --import tsx bench/find-message.bench.ts`. Prints a table; asserts nothing.
 */
import { connect } from 'nats';
import { findMessageInStream } from '../src/channels/jetstream/find-message';
import { startNats } from '../test/harness/servers';

async function main(): Promise<void> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    await jsm.streams.add({ name: 'BENCH', subjects: ['bench.received'] });
    const payload = new Uint8Array(600); // about a normalized message
    const since = Date.now() - 1_000;
    const rows: string[] = [];
    let total = 0;
    for (const n of [1_000, 10_000, 100_000]) {
      const batch: Promise<unknown>[] = [];
      for (; total < n; total++) {
        batch.push(js.publish('bench.received', payload, { msgID: `m-${total}` }));
        if (batch.length === 500) await Promise.all(batch.splice(0));
      }
      await Promise.all(batch);
      const t0 = performance.now();
      const found = await findMessageInStream(jsm, js, 'bench.received', `m-${n - 1}`, since);
      const foundMs = performance.now() - t0;
      const t1 = performance.now();
      const missing = await findMessageInStream(jsm, js, 'bench.received', 'absent', since);
      const missMs = performance.now() - t1;
      rows.push(`| ${n.toLocaleString('en')} | ${foundMs.toFixed(0)} ms (${found}) | ${missMs.toFixed(0)} ms (${missing}) |`);
    }
    console.log('| messages since the attempt | last one found | not found (full scan) |\n|---|---|---|\n' + rows.join('\n'));
  } finally {
    await nc.close();
    await nats.cleanup();
  }
}

void main();
