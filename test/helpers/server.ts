import type { ChildProcess } from 'node:child_process';
import { startServer, stopGracefully, type StoreEnv } from '../../toolbox/processes.js';

export type BuiltServer = {
  /** `http://127.0.0.1:PORT` */
  base: string;
  child: ChildProcess;
  /** SIGTERM, and resolves once the process has exited (SIGKILL after 15 s). */
  stop(): Promise<void>;
};

/**
 * Starts the built server exactly as `npm start` runs it (`dist/cli/main.js serve`, built by
 * scripts/run-tests.ts) on a free loopback port, and resolves once it listens. `env` names the
 * store (storeEnvFor) and any setting.
 */
export async function startBuiltServer(
  env: StoreEnv & Record<string, string | undefined>,
): Promise<BuiltServer> {
  const { DATA_DIR, DATABASE_URL, ...settings } = env;
  const storeEnv: StoreEnv = DATABASE_URL === undefined ? { DATA_DIR } : { DATABASE_URL };
  const defined = Object.entries(settings).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  const server = await startServer({ storeEnv, env: Object.fromEntries(defined) });
  return {
    base: server.base,
    child: server.child,
    async stop() {
      await stopGracefully(server.child);
    },
  };
}
