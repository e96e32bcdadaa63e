/** The front-door environment variables: trusted proxies, public URL, webhook VCR directory — validated, into the runtime metadata. */
import { createBrokerConfig, readEnv } from '../../src/config';
import { RUNTIME_METADATA_KEY } from '../../src/types';

describe('front-door env', () => {
  it('reads the three variables into the env and the broker runtime metadata', () => {
    const env = { SWITCHBOARD_TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1 ,', SWITCHBOARD_PUBLIC_URL: 'https://hooks.example.com/', SWITCHBOARD_RECORD_WEBHOOKS: '/tmp/vcr' };
    expect(readEnv(env)).toMatchObject({ trustedProxies: ['10.0.0.0/8', '127.0.0.1'], publicUrl: 'https://hooks.example.com', recordWebhooksDir: '/tmp/vcr' });
    const meta = (createBrokerConfig({ env }).metadata as Record<string, Record<string, unknown>>)[RUNTIME_METADATA_KEY];
    expect(meta).toMatchObject({ trustedProxies: ['10.0.0.0/8', '127.0.0.1'], publicUrl: 'https://hooks.example.com', recordWebhooksDir: '/tmp/vcr' });
  });
  it('unset → off', () => {
    expect(readEnv({})).not.toHaveProperty('publicUrl');
    expect(readEnv({}).trustedProxies).toBeUndefined();
  });
  it.each([
    ['SWITCHBOARD_TRUSTED_PROXIES', '10.0.0.0/8,proxy.internal'],
    ['SWITCHBOARD_PUBLIC_URL', 'https://hooks.example.com/webhooks'],
    ['SWITCHBOARD_PUBLIC_URL', 'hooks.example.com'],
    ['SWITCHBOARD_PUBLIC_URL', 'https://hooks.example.com?x=1'],
    ['SWITCHBOARD_RECORD_WEBHOOKS', ' '],
  ])('%s=%p → a ConfigError naming the variable', (name, value) => {
    expect(() => readEnv({ [name]: value })).toThrow(expect.objectContaining({ data: { variable: name } }));
  });
});
