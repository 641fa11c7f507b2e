import { spawn } from 'node:child_process';
import { freePort } from '../../toolbox/processes.js';

/** Prism (Stoplight's validating proxy) in front of a server, and what it reported. */
export type Prism = {
  /** `http://127.0.0.1:PORT`: send requests here instead of the server. */
  base: string;
  /** Each request or response violation of the document Prism logged, once its log is quiet. */
  violations(): Promise<string[]>;
  stop(): Promise<void>;
};

/**
 * Starts `prism proxy DOCUMENT UPSTREAM`: it forwards every request unchanged and validates the
 * request and the upstream's response against the document, logging each violation.
 */
export async function startPrism(document: string, upstream: string): Promise<Prism> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      'node_modules/@stoplight/prism-cli/dist/index.js',
      'proxy',
      document,
      upstream,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  let lastOutputAt = Date.now();
  const collect = (chunk: Buffer) => {
    log += chunk.toString();
    lastOutputAt = Date.now();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes('Prism is listening')) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`prism exited with ${child.exitCode}: ${log}`));
      }
    }, 100);
  });
  return {
    base: `http://127.0.0.1:${port}`,
    async violations() {
      // Prism logs after it has answered, and the caller may have blocked this process (a
      // synchronous child): read until a second passes without output (at most ten).
      const started = Date.now();
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
      } while (Date.now() - lastOutputAt < 1000 && Date.now() - started < 10_000);
      return log
        .split('\n')
        .filter((line) => line.includes('Violation:'))
        .map((line) => line.slice(line.indexOf('Violation:')));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
