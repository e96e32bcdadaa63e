/** `findMessageInStream` on a real nats-server: found after the duplicate window, bounded by time and subject, several pulls, consumer removed. */
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { findMessageInStream } from '../../src/channels/jetstream/find-message';
import { startNats, type ServerProcess } from '../harness/servers';

let nats: ServerProcess;
let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  jsm = await nc.jetstreamManager();
  js = nc.jetstream();
  await jsm.streams.add({ name: 'FIND', subjects: ['find.a', 'find.b'], duplicate_window: 1_000 * 1_000_000 });
}, 30_000);
afterAll(async () => { await nc?.close(); await nats?.cleanup(); });

it('finds a msg id after the duplicate window, across several pulls; not before `since`, not on another subject; leaves no consumer', async () => {
  const before = Date.now() - 50;
  for (let i = 0; i < 7; i++) await js.publish('find.a', new Uint8Array([i]), { msgID: `a-${i}` });
  await js.publish('find.b', new Uint8Array([9]), { msgID: 'b-0' });
  await sleep(1_200); // the stream no longer de-duplicates these ids
  expect((await js.publish('find.a', new Uint8Array([0]), { msgID: 'a-0' })).duplicate).toBe(false);

  await expect(findMessageInStream(jsm, js, 'find.a', 'a-6', before, { batch: 2 })).resolves.toBe(true);
  await expect(findMessageInStream(jsm, js, 'find.a', 'a-3', before, { batch: 3 })).resolves.toBe(true);
  await expect(findMessageInStream(jsm, js, 'find.a', 'b-0', before, { batch: 2 })).resolves.toBe(false); // other subject
  await expect(findMessageInStream(jsm, js, 'find.a', 'nope', before, { batch: 2 })).resolves.toBe(false);
  await expect(findMessageInStream(jsm, js, 'find.a', 'a-1', Date.now() + 60_000)).resolves.toBe(false); // nothing after since
  const consumers = await jsm.consumers.list('FIND').next();
  expect(consumers).toHaveLength(0);
}, 30_000);

it('rejects when no stream stores the subject', async () => {
  await expect(findMessageInStream(jsm, js, 'find.none', 'x', 0)).rejects.toThrow();
});
