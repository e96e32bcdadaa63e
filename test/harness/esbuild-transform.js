/** Jest transform: TypeScript → CommonJS with esbuild (type-checking is `npm run test:types`'s job). */
const { transformSync } = require('esbuild');
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

// Cached output is keyed by esbuild's version and this file itself, so changing an option re-transforms.
const SALT = require('esbuild/package.json').version + readFileSync(__filename, 'utf8');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      // Jest runs CommonJS: lower import() to require(), as the tests' modules are CommonJS too.
      supported: { 'dynamic-import': false },
      sourcemap: 'external',
      sourcefile: filename,
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(SALT).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
