import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The install and start path (README, "The two commands"): a production install needs no dev
 * package to build, and `npm start` does not rebuild an up-to-date build. The full production
 * install (`npm ci --omit=dev` on a fresh clone) is run by `.ci/run` through
 * scripts/production-install-check.ts, which takes minutes.
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

  it('npm start rebuilds only when a source is newer than the build', () => {
    assert.equal(pkg.scripts.prestart, 'node scripts/build-if-stale.mjs');
    // A copy of the project's build inputs, so the real dist/ is never rebuilt under other tests.
    const dir = mkdtempSync(path.join(tmpdir(), 'leadline-build-'));
    try {
      for (const item of [
        'src',
        'scripts',
        'package.json',
        'tsconfig.json',
        'tsconfig.build.json',
      ]) {
        cpSync(item, path.join(dir, item), { recursive: true });
      }
      symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
      const run = () =>
        spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-if-stale.mjs')], {
          encoding: 'utf8',
        });
      const first = run();
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stderr, /built dist\//);
      const stamp = path.join(dir, 'dist', '.build-stamp');
      const main = path.join(dir, 'dist', 'cli', 'main.js');
      const built = [statSync(stamp).mtimeMs, statSync(main).mtimeMs];

      const second = run();
      assert.match(second.stderr, /dist\/ is up to date/);
      assert.deepEqual([statSync(stamp).mtimeMs, statSync(main).mtimeMs], built);

      // An edited source makes the next start rebuild.
      const later = new Date(Date.now() + 5000);
      utimesSync(path.join(dir, 'src', 'app.ts'), later, later);
      const third = run();
      assert.match(third.stderr, /built dist\//);
      assert.ok(statSync(stamp).mtimeMs > built[0]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
