import { spawn, type ChildProcess } from 'node:child_process';

export type BuiltServer = {
  /** `http://127.0.0.1:PORT` */
  base: string;
  child: ChildProcess;
  /** Sends SIGTERM and resolves once the process has exited. */
  stop(): Promise<void>;
};

/**
 * Starts the built server exactly as `npm start` runs it (`dist/cli/main.js serve`, built by
 * scripts/run-tests.mjs) on a free loopback port, and resolves once it listens.
 */
export async function startBuiltServer(env: Record<string, string>): Promise<BuiltServer> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    base,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
