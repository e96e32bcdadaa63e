/** What `npm pack` ships: dist with its declarations, every `exports` target, source maps that carry their sources, no tests. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packSdk, type PackedSdk } from './pack';

jest.setTimeout(180_000);

let packed: PackedSdk;
let unpacked: string;
let manifest: {
  private?: boolean; dependencies?: Record<string, string>; peerDependencies?: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>; publishConfig?: Record<string, string>;
};

beforeAll(() => {
  packed = packSdk();
  unpacked = join(packed.dir, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', packed.tarball, '-C', unpacked]);
  manifest = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8'));
});
afterAll(() => packed?.cleanup());

const inPackage = (p: string) => join(unpacked, 'package', p);

describe('npm pack', () => {
  it('ships dist (code and declarations), package.json and README, and nothing of src, test, services or bench', () => {
    expect(packed.files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    const outside = packed.files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f));
    expect(outside).toEqual([]);
    expect(packed.files.filter((f) => /\.test\.|(^|\/)test\/|\.types\.ts$|^src\/|^services\//.test(f))).toEqual([]);
    const js = packed.files.filter((f) => f.endsWith('.js'));
    const missingTypes = js.filter((f) => !packed.files.includes(f.replace(/\.js$/, '.d.ts')));
    expect(js.length).toBeGreaterThan(50);
    expect(missingTypes).toEqual([]);
  });

  it('has no dangling source map: each map names sources it carries inline or that are in the package', () => {
    const maps = packed.files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const dangling: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(readFileSync(inPackage(m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      map.sources.forEach((source, i) => {
        const inline = typeof map.sourcesContent?.[i] === 'string' && map.sourcesContent[i]!.length > 0;
        if (!inline && !existsSync(join(inPackage(m), '..', source))) dangling.push(`${m} -> ${source}`);
      });
    }
    expect(dangling).toEqual([]);
    // and every .js that points at a map has it in the package
    const pointing = packed.files.filter((f) => f.endsWith('.js') && /\/\/# sourceMappingURL=(.+)$/m.test(readFileSync(inPackage(f), 'utf8')));
    expect(pointing.filter((f) => !packed.files.includes(`${f}.map`))).toEqual([]);
  });

  it('declares every subpath with its types, and each target is in the package', () => {
    const subpaths = Object.keys(manifest.exports).filter((k) => k !== './package.json');
    expect(subpaths).toEqual(expect.arrayContaining(['.', './gateway', './testing', './platforms', './channels', './webhooks']));
    for (const key of subpaths) {
      const target = manifest.exports[key] as { types: string; default: string };
      expect(Object.keys(target)[0]).toBe('types'); // conditions are matched in order: types first
      expect(existsSync(inPackage(target.types))).toBe(true);
      expect(existsSync(inPackage(target.default))).toBe(true);
    }
  });

  it('is publishable and takes Moleculer and the clients as peers; tsx is not a dependency', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.publishConfig).toBeDefined();
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['undici']);
    expect(manifest.peerDependencies).toMatchObject({
      moleculer: expect.stringMatching(/0\.14\.36.*\|\|.*0\.15/),
      'moleculer-web': expect.stringMatching(/0\.10\.8.*\|\|.*0\.11/),
      '@moleculer/channels': expect.any(String), nats: expect.any(String), ioredis: expect.any(String),
    });
  });
});
