import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

/**
 * The install and start path (README, "The two commands"): a production install needs no dev
 * package to build, and `npm start` does not rebuild an up-to-date build. The full production
 * install (`npm ci --omit=dev` on a fresh clone) is run by `.ci/run` through
 * scripts/production-install-check.mjs, which takes minutes.
 */
describe('install and start', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    scripts: Record<string, string>;
    engines: { node: string };
  };

  it('builds with production dependencies only: the compiler is one, type packages are not needed', () => {
    assert.ok(pkg.dependencies.typescript, 'typescript is a dependency');
    const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8'));
    assert.deepEqual(build.compilerOptions.types, [], 'the build needs no @types package');
    assert.equal(pkg.scripts.prepare, 'node scripts/build-if-stale.mjs');
  });

  it('npm start does not rebuild an up-to-date build', () => {
    assert.equal(pkg.scripts.prestart, 'node scripts/build-if-stale.mjs');
    // The suite's runner has just built dist/: it is up to date, and stays untouched.
    const stampBefore = statSync('dist/.build-stamp').mtimeMs;
    const mainBefore = statSync('dist/cli/main.js').mtimeMs;
    const run = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /dist\/ is up to date/);
    assert.equal(statSync('dist/.build-stamp').mtimeMs, stampBefore);
    assert.equal(statSync('dist/cli/main.js').mtimeMs, mainBefore);
  });
});
