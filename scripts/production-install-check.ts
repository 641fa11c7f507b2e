// The production install as an operator does it, on a fresh clone of HEAD:
// `npm ci --omit=dev` must succeed (building dist/ without dev packages), and the installed
// server must be healthy quickly, started directly and through `npm start`.
//
//   npx tsx scripts/production-install-check.ts
//
// Prints one JSON line of figures; exits non-zero on any failure. Run by .ci/run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'leadline-prod-'));
const app = path.join(dir, 'app');
const fail = (message: string): void => {
  console.error(`production install check: ${message}`);
  process.exitCode = 1;
};

async function timeToHealthy(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<number> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: app,
    env: { ...process.env, ...env, HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: `npm start` runs the server as a grandchild, stopped with it.
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    while (Date.now() - started < 30_000) {
      const port = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      if (port) {
        const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (health?.status === 200) return Date.now() - started;
      }
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`not healthy in 30 s: ${out}`);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

try {
  execFileSync('git', ['clone', '-q', process.cwd(), app]);
  const installStarted = Date.now();
  const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    cwd: app,
    encoding: 'utf8',
  });
  const installMs = Date.now() - installStarted;
  if (install.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stderr}`);
  if (/EBADENGINE/.test(install.stderr)) fail(`npm ci warned about engines:\n${install.stderr}`);
  if (!existsSync(path.join(app, 'dist', 'cli', 'main.js'))) throw new Error('no dist/ built');
  for (const dev of ['eslint', 'prettier', 'tsx', '@types/node']) {
    if (existsSync(path.join(app, 'node_modules', dev))) fail(`dev package ${dev} was installed`);
  }
  const direct = await timeToHealthy(process.execPath, ['dist/cli/main.js', 'serve'], {
    DATA_DIR: path.join(dir, 'data-a'),
    PORT: '0',
  });
  const viaNpm = await timeToHealthy('npm', ['start'], {
    DATA_DIR: path.join(dir, 'data-b'),
    PORT: '0',
  });
  console.log(JSON.stringify({ installMs, healthyMs: { direct, npmStart: viaNpm } }));
  // A start that rebuilt would take several seconds; an up-to-date one takes about one.
  if (viaNpm > 5000) fail(`npm start took ${viaNpm} ms to be healthy`);
} catch (error) {
  fail((error as Error).message);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
