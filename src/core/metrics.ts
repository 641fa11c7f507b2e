import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
} from 'prom-client';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { PoolUsage, StoreObserver } from '../db/database.js';

/** What the scrape-time gauges read. */
export type MetricSources = {
  /** PostgreSQL's pool now; undefined on SQLite. */
  poolUsage: () => PoolUsage | undefined;
  /** Webhook deliveries waiting to be sent, all orgs (read from the store when scraped). */
  webhookBacklog: () => Promise<number>;
};

/**
 * The process's Prometheus metrics (docs/deploy.md, "Metrics"). One registry per process, not
 * prom-client's global one, so that tests building many apps in one process never register a
 * metric twice. Everything here is recorded on the hot path or read at scrape time; nothing
 * queries the store except the webhook backlog, which is counted when scraped.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = this.counter({
    name: 'leadline_http_requests_total',
    help: 'HTTP requests answered, by method, route (its pattern) and status code.',
    labelNames: ['method', 'route', 'status'] as const,
  });

  readonly httpDuration = new Histogram({
    name: 'leadline_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [this.registry],
  });

  readonly rateLimited = this.counter({
    name: 'leadline_rate_limited_total',
    help: 'Requests refused with 429 (per-credential, failed log-in and org read limits), by route.',
    labelNames: ['route'] as const,
  });

  readonly transactionDuration = new Histogram({
    name: 'leadline_store_transaction_duration_seconds',
    help: 'Write transactions, from asking for one to its durable commit, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });

  readonly poolWait = new Histogram({
    name: 'leadline_store_pool_wait_seconds',
    help: 'PostgreSQL: the wait for a connection of the pool (a new one, or one another request frees).',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 3],
    registers: [this.registry],
  });

  readonly groupCommitSize = new Histogram({
    name: 'leadline_store_group_commit_transactions',
    help: 'SQLite: transactions carried by one durable commit (group commit).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  readonly routedReads = this.counter({
    name: 'leadline_store_routed_reads_total',
    help: 'With DATABASE_REPLICA_URL: list and report reads, by where they were served (replica, or primary when the replica lagged or failed).',
    labelNames: ['served_by'] as const,
  });

  readonly autoClosePasses = this.counter({
    name: 'leadline_auto_close_passes_total',
    help: 'Auto-close passes run by this process, by outcome (ok, or failed for some org).',
    labelNames: ['outcome'] as const,
  });

  readonly autoClosedLeads = this.counter({
    name: 'leadline_auto_closed_leads_total',
    help: 'Leads closed by auto-close in this process.',
  });

  readonly webhookAttempts = this.counter({
    name: 'leadline_webhook_attempts_total',
    help: 'Webhook delivery attempts made by this process, by outcome (delivered, retrying, given_up).',
    labelNames: ['outcome'] as const,
  });

  /**
   * The store's observer (`store.useObserver`): write transactions, SQLite's commit groups, and
   * where routed reads went.
   */
  readonly storeObserver: StoreObserver = {
    transaction: (seconds, committed) =>
      this.transactionDuration.observe({ outcome: committed ? 'committed' : 'failed' }, seconds),
    groupCommit: (transactions) => this.groupCommitSize.observe(transactions),
    routedRead: (servedBy) => this.routedReads.inc({ served_by: servedBy }),
    poolWait: (seconds) => this.poolWait.observe(seconds),
  };

  /** Where the scrape-time gauges read from; set by `watch`. */
  private sources: MetricSources = { poolUsage: () => undefined, webhookBacklog: async () => 0 };

  constructor() {
    const sources = () => this.sources;
    const pool = new Gauge({
      name: 'leadline_store_pool_connections',
      help: 'PostgreSQL: the pool, by state (total, idle, waiting: requests waiting for a connection).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const usage = sources().poolUsage();
        if (!usage) return;
        pool.set({ state: 'total' }, usage.total);
        pool.set({ state: 'idle' }, usage.idle);
        pool.set({ state: 'waiting' }, usage.waiting);
      },
    });
    const backlog = new Gauge({
      name: 'leadline_webhook_backlog',
      help: 'Webhook deliveries pending (not yet delivered nor given up), all orgs.',
      registers: [this.registry],
      async collect() {
        backlog.set(await sources().webhookBacklog());
      },
    });
  }

  /** Tells the scrape-time gauges where to read (the app does, knowing the store and webhooks). */
  watch(sources: MetricSources): void {
    this.sources = sources;
  }

  /** Node's own (heap, GC, event-loop lag, CPU, open handles): only for a process that serves. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'leadline_' });
  }

  private counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }
}

/**
 * A listener of its own on `METRICS_PORT` that answers only `GET /metrics` (docs/deploy.md): a
 * port the proxy does not forward, so the metrics need no token. `scrape` gives the text (one
 * process's registry, or a cluster's primary summing its workers'); `failed` says what to answer
 * when it throws.
 */
export async function listenForScrapes(
  port: number,
  host: string,
  scrape: { text(): Promise<string>; contentType: string },
  failed: (error: unknown) => { status: number; text: string },
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    scrape.text().then(
      (text) => response.writeHead(200, { 'content-type': scrape.contentType }).end(text),
      (error: unknown) => {
        const { status, text } = failed(error);
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`${text}\n`);
      },
    );
  });
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}
