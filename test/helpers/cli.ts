import { TEST_STORE } from './app.js';
import type { StoreEnv } from '../../toolbox/processes.js';

export { runCli, type CliRun } from '../../toolbox/cli.js';

/** The environment that points a child process at this run's store. */
export function storeEnvFor(dataDir: string): StoreEnv {
  return TEST_STORE === 'postgres'
    ? { DATABASE_URL: String(process.env.LEADLINE_TEST_DATABASE_URL) }
    : { DATA_DIR: dataDir };
}
