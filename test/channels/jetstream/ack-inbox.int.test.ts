/**
 * The shared PubAck inbox (src/channels/jetstream/ack-inbox.ts) on a real nats-server -js: acks and duplicates,
 * the server's refusals with the shapes `js.publish` rejects with (503 no stream, `api_error`), a publish nobody
 * answers timing out by the sweep, and a closed connection failing what is pending.
 */
import { connect, headers, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { AckInbox } from '../../../src/channels/jetstream/ack-inbox';
import { startNats, type ServerProcess } from '../../harness/servers';

let nats: ServerProcess;
let nc: NatsConnection;
const data = new TextEncoder().encode('{"hello":"world"}');
const msgId = (id: string) => { const h = headers(); h.set('Nats-Msg-Id', id); return h; };

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await (await nc.jetstreamManager()).streams.add({ name: 'acks', subjects: ['acks.>'], retention: RetentionPolicy.Limits, storage: StorageType.Memory });
}, 30_000);
afterAll(async () => { await nc?.close(); await nats?.cleanup(); });

describe('AckInbox', () => {
  it('resolves with the PubAck; the same msg id again is a duplicate of the same sequence', async () => {
    const inbox = new AckInbox(nc);
    const first = await inbox.publish('acks.a', data, msgId('m1'), 2_000);
    expect(first).toMatchObject({ stream: 'acks', duplicate: false });
    expect(first.seq).toBeGreaterThan(0);
    const again = await inbox.publish('acks.a', data, msgId('m1'), 2_000);
    expect(again).toMatchObject({ stream: 'acks', seq: first.seq, duplicate: true });
    const concurrent = await Promise.all(Array.from({ length: 50 }, (_, i) => inbox.publish('acks.b', data, msgId(`c${i}`), 2_000)));
    expect(new Set(concurrent.map((a) => a.seq)).size).toBe(50);
    expect(inbox.size).toBe(0);
    inbox.close();
  });

  it('no stream for the subject → rejects with code 503; a refused expectation → rejects with api_error', async () => {
    const inbox = new AckInbox(nc);
    await expect(inbox.publish('nostream.x', data, undefined, 2_000)).rejects.toMatchObject({ code: '503' });
    const h = msgId('m-expect');
    h.set('Nats-Expected-Stream', 'another-stream');
    await expect(inbox.publish('acks.c', data, h, 2_000)).rejects.toMatchObject({ api_error: { err_code: expect.any(Number) } });
    inbox.close();
  });

  it('a publish nobody answers times out (code TIMEOUT) by the deadline sweep', async () => {
    // a core subscriber that never replies: the server has a responder, so no 503 comes back
    const silent = nc.subscribe('silent.x');
    const inbox = new AckInbox(nc, 20);
    const started = Date.now();
    await expect(inbox.publish('silent.x', data, undefined, 150)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(inbox.size).toBe(0);
    silent.unsubscribe();
    inbox.close();
  });

  it('close() rejects what is pending, and later publishes at once', async () => {
    const silent = nc.subscribe('silent.y');
    const inbox = new AckInbox(nc);
    const pending = inbox.publish('silent.y', data, undefined, 10_000);
    inbox.close();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    await expect(inbox.publish('acks.a', data, undefined, 1_000)).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    silent.unsubscribe();
  });
});
