/** The operator variables: stream replicas, metrics port, tracing exporter, HOST; Redis Sentinel URLs; what createBrokerConfig makes of them. */
import type { Middleware } from 'moleculer';
import { ConfigError, createBrokerConfig } from '../../src';
import { readEnv } from '../../src/entries/config';
import { parseSentinelUrl, redisConnection } from '../../src/entries/store';
import { configOrExit, explainNatsStartError } from '../../src/config/start-up';

function errorOf(fn: () => unknown): ConfigError {
  try { fn(); } catch (err) { return err as ConfigError; }
  throw new Error('expected a ConfigError');
}

describe('operator variables', () => {
  it('reads replicas, the metrics port and the tracing exporter', () => {
    expect(readEnv({ SWITCHBOARD_STREAM_REPLICAS: '3', SWITCHBOARD_METRICS_PORT: '9464', SWITCHBOARD_TRACING: 'zipkin:http://127.0.0.1:9411' }))
      .toMatchObject({ streamReplicas: 3, metricsPort: 9464, tracing: { exporter: 'zipkin', endpoint: 'http://127.0.0.1:9411' } });
    expect(readEnv({ SWITCHBOARD_TRACING: 'Console' }).tracing).toEqual({ exporter: 'console' });
  });

  it('leaves them out when unset', () => {
    const env = readEnv({});
    expect(env.streamReplicas).toBeUndefined();
    expect(env.metricsPort).toBeUndefined();
    expect(env.tracing).toBeUndefined();
  });

  it.each([
    ['SWITCHBOARD_STREAM_REPLICAS', '0'], ['SWITCHBOARD_STREAM_REPLICAS', '6'], ['SWITCHBOARD_STREAM_REPLICAS', 'three'],
    ['SWITCHBOARD_METRICS_PORT', '70000'], ['SWITCHBOARD_METRICS_PORT', '-1'], ['SWITCHBOARD_TRACING', 'otlp'],
    ['SWITCHBOARD_TRACING', 'zipkin:ftp://x'],
  ])('rejects %s=%j naming the variable', (name, value) => {
    const err = errorOf(() => readEnv({ [name]: value }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(name);
    expect(err.data).toEqual({ variable: name });
  });

  it('metrics listen on HOST, else loopback in memory mode and every interface with NATS', () => {
    const host = (env: NodeJS.ProcessEnv) => ((createBrokerConfig({ env: { SWITCHBOARD_METRICS_PORT: '9100', ...env } }).metrics as unknown as { reporter: Array<{ options: { host: string } }> }).reporter[0].options.host);
    expect(host({})).toBe('127.0.0.1');
    expect(host({ NATS_URL: 'nats://n:4222' })).toBe('0.0.0.0');
    expect(host({ NATS_URL: 'nats://n:4222', HOST: '10.1.2.3' })).toBe('10.1.2.3');
  });
});

describe('REDIS_URL with Sentinel', () => {
  it('parses sentinels, the master name, db, credentials and the sentinel password', () => {
    expect(parseSentinelUrl('redis+sentinel://:s3cret@s1:26379,s2:26380,[::1]/mymaster/2?sentinelPassword=sp')).toEqual({
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }, { host: '::1', port: 26379 }],
      name: 'mymaster', db: 2, password: 's3cret', sentinelPassword: 'sp',
    });
    expect(parseSentinelUrl('redis+sentinel://app:pw@s1/m')).toMatchObject({ username: 'app', password: 'pw', name: 'm' });
    expect(parseSentinelUrl('redis+sentinel://s1/m?tls=true')).toMatchObject({ tls: {}, enableTLSForSentinelMode: true });
  });

  it('is accepted by readEnv and given to the cacher as ioredis options; a plain URL stays a URL', () => {
    const url = 'redis+sentinel://s1:26379,s2:26379/mymaster';
    expect(readEnv({ REDIS_URL: url }).redisUrl).toBe(url);
    const cacher = createBrokerConfig({ env: { REDIS_URL: url } }).cacher as { options: { redis: unknown } };
    expect(cacher.options.redis).toEqual({ sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'mymaster' });
    expect(redisConnection('redis://r:6379/1')).toBe('redis://r:6379/1');
  });

  it.each([
    'redis+sentinel://s1:26379', 'redis+sentinel:///m', 'redis+sentinel://s1:99999/m', 'redis+sentinel://s 1/m',
    'redis+sentinel://s1/m/x', 'redis+sentinel://s1/m?foo=1', 'redis+sentinel://s1/m?tls=yes',
  ])('rejects %s naming REDIS_URL', (url) => {
    const err = errorOf(() => readEnv({ REDIS_URL: url }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^REDIS_URL: /);
  });
});

describe('createBrokerConfig for operations', () => {
  it('sets the Moleculer namespace from SWITCHBOARD_NAMESPACE', () => {
    expect(createBrokerConfig({ env: {} }).namespace).toBe('switchboard');
    expect(createBrokerConfig({ env: { SWITCHBOARD_NAMESPACE: 'other' } }).namespace).toBe('other');
  });

  it('turns on metrics with the Prometheus reporter on SWITCHBOARD_METRICS_PORT, on HOST', () => {
    expect(createBrokerConfig({ env: {} }).metrics).toEqual({ enabled: false });
    expect(createBrokerConfig({ env: { SWITCHBOARD_METRICS_PORT: '9464', HOST: '127.0.0.2' } }).metrics).toEqual({
      enabled: true, reporter: [{ type: 'Prometheus', options: { port: 9464, host: '127.0.0.2', path: '/metrics' } }],
    });
  });

  it('turns on tracing with the chosen exporter and Switchboard tags', () => {
    expect(createBrokerConfig({ env: {} }).tracing).toEqual({ enabled: false });
    const tracing = createBrokerConfig({ env: { SWITCHBOARD_TRACING: 'zipkin:http://z:9411' } }).tracing as { enabled: boolean; exporter: unknown; tags: { action: unknown } };
    expect(tracing.enabled).toBe(true);
    expect(tracing.exporter).toEqual([{ type: 'Zipkin', options: { baseURL: 'http://z:9411' } }]);
    expect(typeof tracing.tags.action).toBe('function');
  });

  it('gives SWITCHBOARD_STREAM_REPLICAS to every stream, under an explicit streamDefaults.replicas', () => {
    const adapterOf = (cfg: ReturnType<typeof createBrokerConfig>) => ((cfg.middlewares as Middleware[])[0] as unknown as { adapter: { cfg: { streamDefaults?: { replicas?: number } } } }).adapter.cfg;
    expect(adapterOf(createBrokerConfig({ env: { NATS_URL: 'nats://n:4222', SWITCHBOARD_STREAM_REPLICAS: '3' } })).streamDefaults).toEqual({ replicas: 3 });
    expect(adapterOf(createBrokerConfig({ env: { NATS_URL: 'nats://n:4222', SWITCHBOARD_STREAM_REPLICAS: '3' }, channels: { streamDefaults: { replicas: 5 } } })).streamDefaults).toEqual({ replicas: 5 });
  });
});

describe('start-up messages', () => {
  it('explains a NATS without JetStream and an unreachable one, naming NATS_URL', () => {
    const noJs = explainNatsStartError(Object.assign(new Error('503'), { code: '503' }), 'nats://n:4222') as ConfigError;
    expect(noJs.message).toContain('NATS_URL (nats://n:4222)');
    expect(noJs.message).toContain('JetStream is not enabled');
    expect(noJs.stack).toBe(`ConfigError: ${noJs.message}`);
    const refused = explainNatsStartError(Object.assign(new Error('CONNECTION_REFUSED'), { code: 'CONNECTION_REFUSED' }), 'nats://n:4222') as ConfigError;
    expect(refused.message).toMatch(/NATS_URL \(nats:\/\/n:4222\) is unreachable.*nats-server -js/);
    const other = new Error('something else');
    expect(explainNatsStartError(other, 'nats://n:4222')).toBe(other);
  });

  it('configOrExit prints a ConfigError in one line and exits 1', () => {
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
    try {
      const exit = ((code: number) => { throw new Error(`exit ${code}`); }) as (code: number) => never;
      expect(() => configOrExit(() => createBrokerConfig({ env: { PORT: 'abc' } }), exit)).toThrow('exit 1');
      expect(printed).toEqual(['Switchboard configuration error: PORT must be a number from 0 to 65535; got "abc".']);
    } finally {
      spy.mockRestore();
    }
  });
});
