// Child processes of the scripts and the ops tests: the built server started on a loopback port,
// stopped gracefully, its memory sampled; every child tracked so an interrupted script takes its
// children down with it.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The built CLI, `leadline` as an operator runs it. */
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
/** Node's arguments that run a TypeScript file of this project (a script) in a child. */
export const TSX = ['--import', 'tsx'];

/** The environment that points a child at one store: DATA_DIR (SQLite) or DATABASE_URL. */
export type StoreEnv = { DATA_DIR?: string; DATABASE_URL?: string };

/** A child started through {@link spawnTracked}: its stdout and stderr are pipes. */
export type TrackedChild = ChildProcess & {
  stdout: NonNullable<ChildProcess['stdout']>;
  stderr: NonNullable<ChildProcess['stderr']>;
  /** The last 4,000 characters of its stderr, for error messages. */
  stderrTail(): string;
};

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Every child started through this module that has not exited yet. */
const alive = new Set<ChildProcess>();

/** SIGKILLs every child still alive: for a script that is failing or being interrupted. */
export function killAll(): void {
  for (const child of alive) child.kill('SIGKILL');
}

/** On SIGINT/SIGTERM: SIGKILL the children and exit 130 (their temporary stores stay behind). */
export function killChildrenOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/**
 * The environment of a child that must use the store `storeEnv` names. A SQLite store also drops
 * an inherited DATABASE_URL, which would otherwise win over DATA_DIR.
 */
export function childEnv(
  storeEnv: StoreEnv,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...storeEnv, ...extra };
  if (storeEnv.DATABASE_URL === undefined && storeEnv.DATA_DIR !== undefined) {
    delete env.DATABASE_URL;
  }
  return env;
}

/** A TCP port free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node ...argv` in the project folder, tracked until it exits; keeps the last 4,000
 * characters of its stderr for error messages (`child.stderrTail()`).
 */
export function spawnTracked(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: SpawnOptions = {},
): TrackedChild {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  }) as TrackedChild;
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.stderrTail = () => stderr;
  return child;
}

/** A server started by {@link startServer}. */
export type RunningServer = {
  child: TrackedChild;
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** Resolves with the exit, whenever it comes. */
  exited: Promise<Exit>;
  stderr(): string;
};

export type ServerOptions = {
  storeEnv: StoreEnv;
  /** More environment (the server's settings). */
  env?: Record<string, string>;
  /** What node runs: `leadline serve` by default, or a script taking the same environment. */
  argv?: string[];
  /**
   * `leadline serve --workers N`: 1 (one process) unless a test is about several; ignored with
   * `argv`. `leadline serve` alone would start one per core.
   */
  workers?: number;
  /** Its own process group, so that {@link killGroup} can SIGKILL the primary and its workers. */
  detached?: boolean;
  logLevel?: string;
  timeoutMs?: number;
  /** Sees all of the server's stdout and stderr (its log). */
  onOutput?: (chunk: Buffer) => void;
};

/**
 * Starts the built server (`leadline serve`, or another script taking the same environment, such
 * as scripts/bench-server.ts via `argv`) on 127.0.0.1 and resolves once it accepts requests.
 *
 * Two ways to know it is up. `logLevel` `info` (or lower): PORT=0 and the port is read from the
 * "Server listening at" log line, as soon as it is written. Quieter levels write no such line: a
 * free port is chosen and GET /health is polled every 100 ms.
 */
export async function startServer({
  storeEnv,
  env = {},
  workers = 1,
  detached = false,
  argv = [CLI, 'serve', '--workers', String(workers)],
  logLevel = 'info',
  timeoutMs = 20_000,
  onOutput,
}: ServerOptions): Promise<RunningServer> {
  const fromLog = ['info', 'debug', 'trace'].includes(logLevel);
  const port = fromLog ? 0 : await freePort();
  const child = spawnTracked(
    argv,
    childEnv(storeEnv, { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: logLevel, ...env }),
    { detached },
  );
  if (onOutput) {
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
  }
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // The server listens before it migrates: ready once /health says so, not at the log line.
  const base = await pollHealth(
    child,
    fromLog ? await listeningLine(child, exited, timeoutMs) : `http://127.0.0.1:${port}`,
    timeoutMs,
  );
  return { child, exited, base, stderr: () => child.stderrTail() };
}

function listeningLine(
  child: TrackedChild,
  exited: Promise<Exit>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`server did not listen within ${timeoutMs} ms: ${out}${child.stderrTail()}`),
      );
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        // Keep draining stdout (the log) so the pipe never fills and blocks the server.
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(match[1]);
      } else if (out.length > 100_000) {
        out = out.slice(-10_000);
      }
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `server exited (${code ?? signal}) before listening: ${out}${child.stderrTail()}`,
        ),
      );
    });
  });
}

/**
 * Waits, if need be, until the clock's current fixed window of `windowMs` (the rate limits'
 * windows: minutes, 5 minutes, counted from the epoch) has at least `roomMs` left, so that a
 * burst a test sends is counted in one window, not split across two.
 */
export async function untilRoomInWindow(windowMs: number, roomMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < roomMs) await sleep(left + 50);
}

/**
 * Resolves once the server at `base` answers `/health` 200: listening, migrated, its store
 * answering. A server listens before it migrates, so its "Server listening" line is not enough.
 * With `child`, fails as soon as that process exits, and SIGKILLs it when time runs out.
 */
export async function waitUntilReady(
  base: string,
  timeoutMs = 20_000,
  child?: TrackedChild,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `server exited (${child.exitCode ?? child.signalCode}): ${child.stderrTail()}`,
      );
    }
    try {
      const response = await fetch(`${base}/health`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child?.kill('SIGKILL');
      const tail = child ? `: ${child.stderrTail()}` : '';
      throw new Error(`${base} did not answer /health 200 within ${timeoutMs} ms${tail}`);
    }
    await sleep(50);
  }
}

async function pollHealth(child: TrackedChild, base: string, timeoutMs: number): Promise<string> {
  child.stdout.resume();
  await waitUntilReady(base, timeoutMs, child);
  return base;
}

/**
 * SIGKILLs a server started `detached` and every process of its group (a cluster's workers
 * too: killing the primary alone would let them finish their requests, which is no crash).
 */
export async function killGroup(server: RunningServer): Promise<Exit> {
  const { pid } = server.child;
  if (pid !== undefined) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
  return server.exited;
}

/**
 * SIGTERM, then waits up to `timeoutMs` for the exit; undefined when the child had to be
 * SIGKILLed. A child that already exited answers its exit at once.
 */
export async function stopGracefully(
  child: ChildProcess,
  timeoutMs = 15_000,
): Promise<Exit | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode };
  }
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.kill('SIGTERM');
  const result = await Promise.race([exited, sleep(timeoutMs).then(() => undefined)]);
  if (result === undefined) {
    child.kill('SIGKILL');
    await exited;
  }
  return result;
}

/**
 * CPU time (user + system) process `pid` has used so far, in seconds, or undefined once it is
 * gone. Fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s (Linux's USER_HZ).
 */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Resident memory of process `pid` in MB (VmRSS), or undefined once it is gone. */
export function readRssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the RSS of `pid` every `intervalMs` until `stop()`, which answers the largest, in MB. */
export function sampleRss(pid: number, intervalMs = 200): { stop(): number | undefined } {
  let max: number | undefined;
  const sample = (): void => {
    const mb = readRssMb(pid);
    if (mb !== undefined && (max === undefined || mb > max)) max = mb;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

/** One of the server's pino log lines, with the fields the tests read. */
export type LogLine = {
  msg?: string;
  pid?: number;
  reqId?: string;
  req?: { url?: string; remoteAddress?: string };
  [field: string]: unknown;
};

/**
 * Collects a server's JSON log lines as they come: pass `onOutput` to {@link startServer} and
 * read `lines` (text that is not a JSON line, such as stderr's, is left out).
 */
export function jsonLogLines(): { lines: LogLine[]; onOutput: (chunk: Buffer) => void } {
  const lines: LogLine[] = [];
  let pending = '';
  return {
    lines,
    onOutput(chunk) {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) {
        try {
          lines.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line
        }
      }
    },
  };
}
