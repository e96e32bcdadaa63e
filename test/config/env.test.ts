import { ConfigError, createBrokerConfig, RUNTIME_METADATA_KEY } from '../../src';
import { readEnv } from '../../src/entries/config';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('readEnv', () => {
  it('defaults to memory mode on port 3000 in namespace switchboard', () => {
    expect(readEnv({})).toEqual({ port: 3000, host: '127.0.0.1', namespace: 'switchboard', logLevel: 'info', allowPrivateNetworks: false });
  });

  it('reads every variable it knows', () => {
    expect(readEnv({
      NATS_URL: 'nats://a:4222, nats://b:4222', REDIS_URL: 'redis://r:6379/1', PORT: '8080',
      SWITCHBOARD_NAMESPACE: 'acme-prod', SWITCHBOARD_NODE_ID: 'n1', SWITCHBOARD_LOG_LEVEL: 'warn',
      SWITCHBOARD_ALLOW_PRIVATE_URLS: 'true',
    })).toEqual({
      natsUrl: 'nats://a:4222,nats://b:4222', redisUrl: 'redis://r:6379/1', port: 8080, host: '0.0.0.0',
      namespace: 'acme-prod', nodeID: 'n1', logLevel: 'warn', allowPrivateNetworks: true,
    });
  });

  it.each([
    ['NATS_URL', 'nats//localhost'],
    ['NATS_URL', 'http://localhost:4222'],
    ['NATS_URL', ''],
    ['NATS_URL', 'nats://'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'redis://a:1,redis://b:2'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '1e3'],
    ['SWITCHBOARD_NAMESPACE', 'a.b'],
    ['SWITCHBOARD_NAMESPACE', ''],
    ['SWITCHBOARD_LOG_LEVEL', 'loud'],
    ['SWITCHBOARD_ALLOW_PRIVATE_URLS', 'yes'],
    ['SWITCHBOARD_TYPO', '1'],
    ['HOST', ''],
    ['HOST', 'http://0.0.0.0'],
    ['HOST', '0.0.0.0:3000'],
    ['HOST', 'bad_host'],
  ])('rejects %s=%j with a ConfigError that names the variable', (name, value) => {
    const err = errorOf(() => readEnv({ [name]: value }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(name);
    expect(err.data).toEqual({ variable: name });
  });
});

describe('HOST (issue 8.12)', () => {
  it('defaults to loopback in memory mode and to every interface with NATS_URL; HOST overrides both', () => {
    expect(readEnv({}).host).toBe('127.0.0.1');
    expect(readEnv({ NATS_URL: 'nats://n:4222' }).host).toBe('0.0.0.0');
    expect(readEnv({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(readEnv({ NATS_URL: 'nats://n:4222', HOST: '10.1.2.3' }).host).toBe('10.1.2.3');
    expect(readEnv({ HOST: '::' }).host).toBe('::');
    expect(readEnv({ HOST: 'localhost' }).host).toBe('localhost');
    expect(createBrokerConfig({ env: { NATS_URL: 'nats://n:4222' } }).metadata?.[RUNTIME_METADATA_KEY]).toMatchObject({ host: '0.0.0.0' });
  });
});

describe('createBrokerConfig', () => {
  it('runs in one process on memory pieces when nothing is set', () => {
    const options = createBrokerConfig({ env: {} });
    expect(options.transporter).toBeNull();
    expect(options.cacher).toBe('Memory');
    expect(options.metadata?.[RUNTIME_METADATA_KEY]).toEqual({ namespace: 'switchboard', port: 3000, host: '127.0.0.1', allowPrivateNetworks: false });
  });

  it('uses NATS and Redis when their URLs are set', () => {
    const options = createBrokerConfig({ env: { NATS_URL: 'nats://n:4222', REDIS_URL: 'redis://r:6379' } });
    expect(options.transporter).toMatchObject({ type: 'NATS', options: { servers: ['nats://n:4222'], maxReconnectAttempts: -1 } });
    expect(options.cacher).toMatchObject({ type: 'Redis', options: { redis: 'redis://r:6379' } });
    expect(options.metadata?.[RUNTIME_METADATA_KEY]).toMatchObject({ natsUrl: 'nats://n:4222', redisUrl: 'redis://r:6379' });
  });
});

describe('createBrokerConfig channels', () => {
  it('uses the JetStream adapter on NATS and the memory adapter without it', () => {
    const adapterOf = (env: NodeJS.ProcessEnv) =>
      ((createBrokerConfig({ env }).middlewares?.[0] as unknown as { adapter: object }).adapter).constructor.name;
    expect(adapterOf({})).toBe('MemoryAdapter');
    expect(adapterOf({ NATS_URL: 'nats://127.0.0.1:4222' })).toBe('JetStreamAdapter');
  });
});
