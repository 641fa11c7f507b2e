import { spawn } from 'node:child_process';
import { TEST_STORE } from './app.js';

/** What one run of the CLI left: its exit code and its two output streams. */
export type CliRun = { code: number | null; stdout: string; stderr: string };

/** The environment that points a child process at this run's store. */
export function storeEnvFor(dataDir: string): Record<string, string> {
  return TEST_STORE === 'postgres'
    ? { DATABASE_URL: String(process.env.LEADLINE_TEST_DATABASE_URL) }
    : { DATA_DIR: dataDir };
}

/**
 * Runs the built CLI (`dist/cli/main.js`, built by scripts/run-tests.mjs) in a child process
 * against the store `storeEnv` names.
 */
export function runCli(storeEnv: Record<string, string>, args: string[]): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...storeEnv };
  if (TEST_STORE === 'sqlite') delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
