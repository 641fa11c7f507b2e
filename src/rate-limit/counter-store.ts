import cluster, { type Worker } from 'node:cluster';
import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { RateLimitConfig } from '../core/rate-limit-config.js';

/**
 * Where rate-limit counters live. Keys carry their window (see `rate-limit.service.ts`), so a
 * counter is only ever incremented and read, never reset; `expiresAt` only lets the store forget
 * it. Instants are milliseconds of the app's clock.
 */
export type CounterStore = {
  /** Adds one to `key` and answers the new count; the counter is forgotten at `expiresAt`. */
  increment(key: string, expiresAt: number, now: number): Promise<number>;
  /** The count of `key`, 0 when it is absent or expired. */
  read(key: string, now: number): Promise<number>;
  /** Takes one off `key` if it is counted (never below 0); its expiry stays. */
  decrement(key: string, now: number): Promise<void>;
  /** Resolves when the store can answer (Redis: connected, or given up waiting). */
  ready(): Promise<void>;
  close(): Promise<void>;
};

/** Counters one process keeps at most; beyond it the oldest are dropped (they let requests in). */
export const MEMORY_STORE_MAX_KEYS = 100_000;

/**
 * The in-process store: a Map bounded to `maxKeys` entries. Expired entries are swept when the
 * map is full; if it is still full the oldest entry goes (Maps iterate in insertion order).
 */
export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();

  constructor(private readonly maxKeys = MEMORY_STORE_MAX_KEYS) {}

  async increment(key: string, expiresAt: number, now: number): Promise<number> {
    const entry = this.counters.get(key);
    if (entry && entry.expiresAt > now) {
      entry.count += 1;
      return entry.count;
    }
    this.counters.delete(key);
    if (this.counters.size >= this.maxKeys) this.evict(now);
    this.counters.set(key, { count: 1, expiresAt });
    return 1;
  }

  async read(key: string, now: number): Promise<number> {
    const entry = this.counters.get(key);
    return entry && entry.expiresAt > now ? entry.count : 0;
  }

  async decrement(key: string, now: number): Promise<void> {
    const entry = this.counters.get(key);
    if (entry && entry.expiresAt > now && entry.count > 0) entry.count -= 1;
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.counters.clear();
  }

  /** How many counters are held (for tests of the bound). */
  get size(): number {
    return this.counters.size;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.counters) {
      if (entry.expiresAt <= now) this.counters.delete(key);
    }
    while (this.counters.size >= this.maxKeys) {
      const oldest = this.counters.keys().next();
      if (oldest.done === true) break;
      this.counters.delete(oldest.value);
    }
  }
}

// INCR and PEXPIRE in one atomic step: a counter never lives without its expiry, even if this
// process dies between the two commands.
const INCREMENT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** How long a request waits for Redis before the limiter gives up and lets it through. */
// DECR only an existing, positive counter: an expired one is not brought back without expiry.
const DECREMENT_SCRIPT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

const COMMAND_TIMEOUT_MS = 500;
/** How long start-up waits for the first Redis connection. */
const CONNECT_WAIT_MS = 2000;
/** At most one "Redis unreachable" warning per this many milliseconds. */
const WARN_EVERY_MS = 10_000;

/**
 * Counters in Redis, shared by every server process. Commands are never queued while Redis is
 * down (`enableOfflineQueue: false`) and time out after {@link COMMAND_TIMEOUT_MS}, so an outage
 * makes them fail at once; the limiter then lets the request through (fails open).
 */
export class RedisCounterStore implements CounterStore {
  private readonly redis: Redis;
  private lastWarning = 0;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_WAIT_MS,
      // Keep trying to reconnect, at most every 2 s.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', (error: Error) => this.warn(error));
  }

  async increment(key: string, expiresAt: number, now: number): Promise<number> {
    const ttl = Math.max(1, Math.ceil(expiresAt - now));
    const count = await this.redis.eval(INCREMENT_SCRIPT, 1, this.prefix + key, ttl);
    return Number(count);
  }

  async read(key: string): Promise<number> {
    return Number((await this.redis.get(this.prefix + key)) ?? 0);
  }

  async decrement(key: string): Promise<void> {
    await this.redis.eval(DECREMENT_SCRIPT, 1, this.prefix + key);
  }

  async ready(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.log.warn('rate limits: Redis is not reachable yet; requests are let through');
        done();
      }, CONNECT_WAIT_MS);
      this.redis.once('ready', done);
    });
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }

  /** Logs a store failure at warn, at most once per {@link WARN_EVERY_MS}. */
  warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.log.warn({ err: error }, 'rate limits: Redis failed; requests are let through');
  }
}

/**
 * Rate-limit counters shared by the worker processes of one `leadline serve --workers N`
 * (docs/deploy.md, "Every core"), without Redis: the primary process keeps them in memory and
 * each worker asks it over the cluster's IPC channel. Without this every worker would count on
 * its own and a client spreading its requests over N connections would get N times the limit.
 * Several machines still need `REDIS_URL`.
 */

/** How long a worker waits for the primary before the limiter lets the request through. */
const ANSWER_WAIT_MS = 500;

type Operation = 'increment' | 'read' | 'decrement';
type CounterCall = { id: number; op: Operation; key: string; expiresAt: number; now: number };
type CounterMessage = { leadlineCounter: CounterCall };
type CounterAnswer = { leadlineCounterAnswer: { id: number; value: number } };

const isCall = (message: unknown): message is CounterMessage =>
  typeof message === 'object' && message !== null && 'leadlineCounter' in message;
const isAnswer = (message: unknown): message is CounterAnswer =>
  typeof message === 'object' && message !== null && 'leadlineCounterAnswer' in message;

/** The worker's side: every operation is a message to the primary and its answer. */
export class ClusterCounterStore implements CounterStore {
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve(value: number): void; reject(error: Error): void; timer: NodeJS.Timeout }
  >();
  private readonly onMessage = (message: unknown): void => {
    if (!isAnswer(message)) return;
    const { id, value } = message.leadlineCounterAnswer;
    const call = this.waiting.get(id);
    if (!call) return;
    this.waiting.delete(id);
    clearTimeout(call.timer);
    call.resolve(value);
  };

  constructor() {
    process.on('message', this.onMessage);
  }

  private call(op: Operation, key: string, expiresAt: number, now: number): Promise<number> {
    const send = process.send?.bind(process);
    if (!send) return Promise.reject(new Error('not a cluster worker'));
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the primary process did not answer in ${ANSWER_WAIT_MS} ms`));
      }, ANSWER_WAIT_MS);
      this.waiting.set(id, { resolve, reject, timer });
      send({ leadlineCounter: { id, op, key, expiresAt, now } } satisfies CounterMessage);
    });
  }

  increment(key: string, expiresAt: number, now: number): Promise<number> {
    return this.call('increment', key, expiresAt, now);
  }

  read(key: string, now: number): Promise<number> {
    return this.call('read', key, 0, now);
  }

  async decrement(key: string, now: number): Promise<void> {
    await this.call('decrement', key, 0, now);
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    for (const call of this.waiting.values()) {
      clearTimeout(call.timer);
      call.reject(new Error('the counter store is closed'));
    }
    this.waiting.clear();
  }
}

/**
 * The primary's side: one store (in its memory) for all workers, answering each worker's calls.
 * Call `serve(worker)` for every worker forked, replacements included.
 */
export function clusterCounterHost(store: CounterStore): { serve(worker: Worker): void } {
  return {
    serve(worker) {
      worker.on('message', (message: unknown) => {
        if (!isCall(message)) return;
        const { id, op, key, expiresAt, now } = message.leadlineCounter;
        const answer = (value: number) => {
          if (worker.isConnected()) {
            worker.send({ leadlineCounterAnswer: { id, value } } satisfies CounterAnswer);
          }
        };
        if (op === 'increment') void store.increment(key, expiresAt, now).then(answer);
        else if (op === 'read') void store.read(key, now).then(answer);
        else void store.decrement(key, now).then(() => answer(0));
      });
    },
  };
}

/**
 * Opens the configured store: Redis when `REDIS_URL` is set; else, in a worker of
 * `leadline serve --workers N`, the counters its primary process keeps for all workers; else
 * in-process memory.
 *
 * @example const store = openCounterStore(ctx.config.rateLimit, app.log);
 */
export function openCounterStore(config: RateLimitConfig, log: FastifyBaseLogger): CounterStore {
  if (config.redisUrl !== undefined) {
    return new RedisCounterStore(config.redisUrl, config.redisPrefix, log);
  }
  return cluster.isWorker ? new ClusterCounterStore() : new MemoryCounterStore();
}
