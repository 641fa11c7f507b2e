// The built CLI (`dist/cli/main.js`) as scripts and ops tests run it: one JSON document on stdout
// per command, an error document on stderr and a non-zero exit on failure.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { basicAuthorization } from './http.js';
import { CLI, ROOT, childEnv, spawnTracked, type StoreEnv } from './processes.js';

/** What one run of the CLI left: its exit code and its two output streams. */
export type CliRun = { code: number | null; stdout: string; stderr: string };

const quiet = (storeEnv: StoreEnv, env: Record<string, string> = {}): NodeJS.ProcessEnv =>
  childEnv(storeEnv, { LOG_LEVEL: 'silent', ...env });

/**
 * Runs `leadline ...args` against the store `storeEnv` names and answers what it left, whatever
 * its exit: for tests of the CLI's own answers, failures included.
 */
export function runCli(storeEnv: StoreEnv, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: quiet(storeEnv),
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

function parseOutput<T>(args: string[], stdout: string): T {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new Error(`leadline ${args.join(' ')} printed no JSON: ${stdout.slice(0, 500)}`);
  }
}

/**
 * Runs `leadline ...args` and answers its parsed stdout; throws with its stderr when it exits
 * non-zero. Synchronous: for a script's set-up steps, one after another.
 *
 * `env` adds to the command's environment (e.g. `WEBHOOK_ALLOWED_HOSTS`).
 *
 * @example cliJson<{ id: number }>(env, ['org', 'create', '--name', 'Acme'])
 */
export function cliJson<T = unknown>(
  storeEnv: StoreEnv,
  args: string[],
  { timeoutMs = 120_000, env = {} }: { timeoutMs?: number; env?: Record<string, string> } = {},
): T {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: quiet(storeEnv, env),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `leadline ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`,
    );
  }
  return parseOutput<T>(args, result.stdout);
}

/**
 * A new org with one TILL (a random password), made through the CLI; answers the till's Basic
 * `authorization` header value for the API.
 *
 * @example const authorization = orgWithTill(storeEnv, 'Acme 1a2b', 'acme-till');
 */
export function orgWithTill(storeEnv: StoreEnv, org: string, code: string): string {
  cliJson(storeEnv, ['org', 'create', '--name', org]);
  const password = `pw-${randomUUID()}`;
  cliJson(storeEnv, [
    ...['entity', 'create', '--org', org, '--type', 'TILL'],
    ...['--code', code, '--password', password],
  ]);
  return basicAuthorization(code, password);
}

/**
 * {@link cliJson} for long commands (a bulk load): asynchronous, and each line of its stderr (the
 * command's progress) is handed to `onProgress` as it comes.
 */
export function cliJsonStreaming<T = unknown>(
  storeEnv: StoreEnv,
  args: string[],
  { onProgress = (_line: string): void => {} } = {},
): Promise<T> {
  const child = spawnTracked([CLI, ...args], quiet(storeEnv));
  let stdout = '';
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onProgress(line);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0) {
        reject(
          new Error(`leadline ${args.join(' ')} failed (${code ?? signal}): ${child.stderrTail()}`),
        );
        return;
      }
      try {
        resolve(parseOutput<T>(args, stdout));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
