#!/usr/bin/env node
// Builds dist/ from src/ only when a source is newer than the last build, so `npm start` starts
// the server at once (about 1 s) and rebuilds only after a change. `--force` always builds.
//
// The build emits JavaScript without type-checking (`tsc --noCheck`): type-checking is
// `npm run check`'s job, and a production install (`npm ci --omit=dev`) has no type packages.
//
// The one script in JavaScript, because npm runs it (`prepare`, `prestart`) in a production
// install, which has no tsx; `npm run check` type-checks it all the same (checkJs, JSDoc).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');

/**
 * The newest modification time (ms) of any file under `dir`.
 *
 * @param {string} dir
 * @returns {number}
 */
function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const inputs = Math.max(
  newestIn(path.join(root, 'src')),
  ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map(
    (f) => statSync(path.join(root, f)).mtimeMs,
  ),
);
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (!process.argv.includes('--force') && built >= inputs) {
  process.stderr.write('leadline: dist/ is up to date\n');
  process.exit(0);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
// The package's bin: `npx leadline` runs it as a program, whatever mode the compiler left it in
// (npm sets it only when it links the bin, before a later rebuild may replace the file).
chmodSync(path.join(root, 'dist', 'cli', 'main.js'), 0o755);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stderr.write('leadline: built dist/\n');
