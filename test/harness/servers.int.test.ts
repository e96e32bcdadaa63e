import { connect } from 'nats';
import Redis from 'ioredis';
import { startNats, startRedis } from './servers';

describe('test harness', () => {
  it('starts nats-server with JetStream and survives a kill and restart on the same port', async () => {
    const nats = await startNats();
    try {
      let nc = await connect({ servers: nats.url });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
      await nc.jetstream().publish('harness.x', new TextEncoder().encode('1'));
      await nc.close();
      await nats.kill();
      await nats.start();
      nc = await connect({ servers: nats.url });
      const info = await (await nc.jetstreamManager()).streams.info('HARNESS');
      expect(info.state.messages).toBe(1);
      await nc.close();
    } finally {
      await nats.cleanup();
    }
  });

  it('starts redis-server', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url);
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
    } finally {
      client.disconnect();
      await redis.cleanup();
    }
  });
});
