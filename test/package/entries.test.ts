/** The main entry keeps DESIGN.md's public names and stays small; every src/entries file is a declared subpath and loads. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as main from '../../src';
import { ROOT } from './pack';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };

describe('package entries', () => {
  it("exports DESIGN.md's public names (and the service factories) from the main entry", () => {
    const design = [
      'defineService', 'defineIntegration', 'NAMESPACE', 'INTEGRATION_CHANNELS', 'CHANNEL_CONFIG', 'executeWithRetry',
      'jsonKeyEquals', 'jsonKeyIn', 'jsonKeyExists', 'whatsapp', 'telegram', 'slack', 'discord',
      'hmacSignature', 'standardWebhooks', 'metaSignature', 'slackSignature', 'telegramSecretToken', 'ed25519Signature', 'twilioSignature',
      'createGatewayService', 'createRegistryService', 'createBrokerConfig', 'configOrExit',
    ];
    expect(design.filter((name) => typeof (main as Record<string, unknown>)[name] === 'undefined')).toEqual([]);
    // what teams need less often lives behind subpaths: the main door stays small
    expect(Object.keys(main).length).toBeLessThan(70);
  });

  it('declares each src/entries file as a subpath, and nothing else', () => {
    const files = readdirSync(join(ROOT, 'src', 'entries')).filter((f) => f.endsWith('.ts')).map((f) => `./${f.replace(/\.ts$/, '')}`);
    const declared = Object.keys(manifest.exports).filter((k) => k !== '.' && k !== './package.json');
    expect(declared.sort()).toEqual(files.sort());
  });

  it.each(readdirSync(join(ROOT, 'src', 'entries')).filter((f) => f.endsWith('.ts')))('src/entries/%s loads and exports values', async (file) => {
    const entry = (await import(join(ROOT, 'src', 'entries', file))) as Record<string, unknown>;
    expect(Object.keys(entry).length).toBeGreaterThan(0);
  });

  it('loads undici only on the first outbound request (~3.5 MB of heap a gateway or consumer node never needs)', () => {
    // a fresh process: Jest's own module registry would not say what Node loaded
    const script = `
      const { readdirSync } = require('node:fs');
      require('./src/index.ts');
      for (const f of readdirSync('./src/entries')) require('./src/entries/' + f);
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/undici/'));
      const atImport = loaded();
      require('./src/security/guarded-dispatcher.ts').guardedDispatcher();
      process.stdout.write(JSON.stringify({ atImport, afterFirstUse: loaded() }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ atImport: false, afterFirstUse: true });
  });
});
