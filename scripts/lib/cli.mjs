// The built CLI (`dist/cli/main.js`) as the scripts run it: one JSON document on stdout per
// command, an error document on stderr and a non-zero exit on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CLI, ROOT, childEnv, spawnTracked } from './processes.mjs';

function parseOutput(args, stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`leadline ${args.join(' ')} printed no JSON: ${stdout.slice(0, 500)}`);
  }
}

/**
 * Runs `leadline ...args` against the store `storeEnv` names and answers its parsed stdout;
 * throws with its stderr when it exits non-zero.
 *
 * @example runCli(env, ['org', 'create', '--name', 'Acme']) // {id, name}
 */
export function runCli(storeEnv, args, { timeoutMs = 120_000 } = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: childEnv(storeEnv, { LOG_LEVEL: 'silent' }),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `leadline ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`,
    );
  }
  return parseOutput(args, result.stdout);
}

/**
 * {@link runCli} for long commands (a bulk load): asynchronous, and each line of its stderr (the
 * command's progress) is handed to `onProgress` as it comes.
 */
export function runCliStreaming(storeEnv, args, { onProgress = () => {} } = {}) {
  const child = spawnTracked([CLI, ...args], childEnv(storeEnv, { LOG_LEVEL: 'silent' }));
  let stdout = '';
  let pending = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop();
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
        resolve(parseOutput(args, stdout));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * The Basic authorization a till sends: `username:md5hex(password)`, base64.
 *
 * @example basicAuthorization('acme-till-1', 'secret') // 'Basic YWNtZS10aWxsLTE6...'
 */
export function basicAuthorization(username, password) {
  const md5 = createHash('md5').update(password).digest('hex');
  return `Basic ${Buffer.from(`${username}:${md5}`).toString('base64')}`;
}
