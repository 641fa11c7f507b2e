import type { Config } from './config.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { openStore, type Store } from '../db/database.js';
import { VerificationCache } from './verification-cache.js';
import { OrgReadBudget } from './org-read-budget.js';
import { Metrics } from './metrics.js';

/** What every service needs: the store, the clock, the configuration and the process caches. */
export type AppContext = {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly verificationCache: VerificationCache;
  /** Fairness between orgs for expensive reads (lead lists), per process. */
  readonly orgReadBudget: OrgReadBudget;
  /** This process's Prometheus metrics (served by `GET /metrics` when configured). */
  readonly metrics: Metrics;
};

/**
 * Opens the configured store and builds the context around it. The caller owns the store and
 * closes it (`ctx.store.close()`).
 *
 * @example const ctx = createContext(loadConfig());
 */
export function createContext(config: Config, clock: Clock = systemClock): AppContext {
  const store = openStore({
    databaseUrl: config.databaseUrl,
    replicaUrl: config.databaseReplicaUrl,
    dataDir: config.dataDir,
    pgPoolSize: config.pgPoolSize,
    sqliteReportThreads: config.sqliteReportThreads,
    pgConnectTimeoutMs: config.pgConnectTimeoutMs,
    pgStatementTimeoutMs: config.pgStatementTimeoutMs,
  });
  const metrics = new Metrics();
  store.useObserver(metrics.storeObserver);
  return {
    store,
    clock,
    config,
    verificationCache: new VerificationCache(config.credentialCacheSeconds * 1000),
    orgReadBudget: new OrgReadBudget(config.orgReadBudget),
    metrics,
  };
}
