/** SWITCHBOARD_CHANNELS parsing (JSON or file) and seeding into the registry. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceBroker } from 'moleculer';
import { ChannelRegistry, channelRegistry, parseChannelsSource, seedChannels } from '../../src/registry';
import { MemoryStore } from '../../src/store';

const json = JSON.stringify([{ id: 'a', tenantId: 't1', platform: 'generic', secrets: ['s1'], credentials: { token: 'x' } }]);

describe('parseChannelsSource', () => {
  it('reads a JSON array, or a file holding one, and fills defaults', () => {
    expect(parseChannelsSource(json)).toEqual([{ id: 'a', tenantId: 't1', platform: 'generic', secrets: ['s1'], credentials: { token: 'x' }, settings: {}, status: 'active' }]);
    const file = join(mkdtempSync(join(tmpdir(), 'sb-ch-')), 'channels.json');
    writeFileSync(file, json);
    expect(parseChannelsSource(file)[0]?.id).toBe('a');
    expect(parseChannelsSource(undefined)).toEqual([]);
  });

  it('names the variable and the index on bad input', () => {
    expect(() => parseChannelsSource('[{"id":"a"}]')).toThrow(/SWITCHBOARD_CHANNELS\[0\]/);
    expect(() => parseChannelsSource('[nope')).toThrow(/SWITCHBOARD_CHANNELS does not hold valid JSON/);
    expect(() => parseChannelsSource('{}')).toThrow(/SWITCHBOARD_CHANNELS is neither/);
    expect(() => parseChannelsSource(`[${json.slice(1, -1)},${json.slice(1, -1)}]`)).toThrow(/appears twice/);
  });
});

describe('seedChannels', () => {
  it('creates absent channels and keeps existing ones unless told to overwrite', async () => {
    const registry = new ChannelRegistry(new MemoryStore());
    expect(await seedChannels(registry, parseChannelsSource(json))).toEqual({ written: 1, kept: 0 });
    await registry.rotateSecret('a', { secret: 'rotated' });
    expect(await seedChannels(registry, parseChannelsSource(json))).toEqual({ written: 0, kept: 1 });
    expect((await registry.get('a'))?.secrets[0]).toBe('rotated');
    expect(await seedChannels(registry, parseChannelsSource(json), { overwrite: true })).toEqual({ written: 1, kept: 0 });
    expect((await registry.get('a'))?.secrets).toEqual(['s1']);
  });
});

describe('channelRegistry(broker)', () => {
  it('is one registry per broker', async () => {
    const broker = new ServiceBroker({ logger: false });
    await broker.start();
    expect(channelRegistry(broker)).toBe(channelRegistry(broker));
    await broker.stop();
  });
});
