/**
 * Packs the SDK as `npm pack` would publish it, without touching the repository's own `dist/`: the build
 * (tsconfig.build.json) goes to a staging directory next to copies of package.json and README.md, and
 * `npm pack` runs there. Tests in parallel workers can each pack without racing on `dist/`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface PackedSdk {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the package (`dist/index.js`, `package.json`, ...). */
  files: string[];
  /** Directory the tarball and staging live in. */
  dir: string;
  cleanup(): void;
}

export function packSdk(): PackedSdk {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pack-'));
  const stage = join(dir, 'stage');
  try {
    return packInto(dir, stage);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function packInto(dir: string, stage: string): PackedSdk {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  for (const f of ['package.json', 'README.md']) copyFileSync(join(ROOT, f), join(stage, f));
  // --ignore-scripts: prepack would build again into the repository's dist/.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return {
    tarball: join(dir, info.filename),
    files: info.files.map((f) => f.path),
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
