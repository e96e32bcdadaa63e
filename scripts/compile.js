/**
 * Compiles the TypeScript that `npm start` and the inbound benchmark run into plain CommonJS under .build/, so
 * those processes start without tsx (no loader thread, no transpiling at run time: ~60 MB less RSS per process).
 *
 *   node scripts/compile.js start   # src/, services/, moleculer.config.ts → .build/start/, one file per source file
 *   node scripts/compile.js bench   # bench/inbound.bench.ts, bench/baseline-inbound-server.ts → .build/bench/, bundled
 *
 * `start` keeps one output file per source file, so the SDK is loaded once and shared by every service the runner
 * loads (each service bundled alone would carry its own copy of the SDK's module state). `@switchboard/sdk` and
 * `@switchboard/sdk/<entry>` are rewritten to the compiled src/index.js and src/entries/<entry>.js. Packages from
 * node_modules stay `require`s. Uses esbuild's JS API (async: plugins need it) (esbuild is a devDependency, and tsx's).
 */
'use strict';
const { build } = require('esbuild');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative, dirname, posix, sep } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, '.build');
const COMMON = { platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', absWorkingDir: ROOT };

/** Every .ts file under `dir` (relative to the root), declaration files apart. */
function tsFiles(dir) {
  const found = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** Keeps every import a `require` of its own compiled file; maps the SDK's package name onto the compiled src/. */
const oneFilePerSource = {
  name: 'one-file-per-source',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const sdk = /^@switchboard\/sdk(?:\/(.+))?$/.exec(args.path);
      if (!sdk) return { path: args.path.replace(/\.ts$/, ''), external: true };
      const target = join(ROOT, 'src', sdk[1] ? join('entries', sdk[1]) : 'index');
      let rel = relative(dirname(args.importer), target).split(sep).join(posix.sep);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return { path: rel, external: true };
    });
  },
};

/**
 * Writes esbuild's outputs into `outdir`: a file whose content did not change is left alone, a changed one is
 * replaced atomically (temp file + rename), files no longer produced are removed. So several `npm start`s
 * compiling at once (the runner tests do) never see a half-written or missing file.
 */
function writeOutputs(outdir, outputFiles) {
  const wanted = new Set();
  for (const file of outputFiles) {
    wanted.add(file.path);
    if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  (function prune(dir) {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) prune(path);
      else if (!wanted.has(path) && !entry.name.endsWith('.tmp')) rmSync(path, { force: true });
    }
  })(outdir);
}

async function compileStart() {
  const outdir = join(OUT, 'start');
  const { outputFiles } = await build({
    ...COMMON,
    entryPoints: [...tsFiles('src'), ...tsFiles('services'), 'moleculer.config.ts'],
    outdir,
    outbase: ROOT,
    bundle: true,
    plugins: [oneFilePerSource],
    write: false,
  });
  writeOutputs(outdir, outputFiles);
}

async function compileBench() {
  const outdir = join(OUT, 'bench');
  const { outputFiles } = await build({
    ...COMMON,
    entryPoints: ['bench/inbound.bench.ts', 'bench/baseline-inbound-server.ts'],
    outdir,
    bundle: true,
    packages: 'external',
    write: false,
  });
  writeOutputs(outdir, outputFiles);
}

const TARGETS = { start: compileStart, bench: compileBench };

if (require.main === module) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((t) => !TARGETS[t]);
  if (wanted.length === 0 || unknown.length > 0) {
    console.error(`usage: node scripts/compile.js ${Object.keys(TARGETS).join('|')} [...]${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
    process.exit(2);
  }
  (async () => { for (const target of wanted) await TARGETS[target](); })().catch(() => process.exit(1));
}

module.exports = { compileStart, compileBench };
