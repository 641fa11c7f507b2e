import { Worker } from 'node:worker_threads';
import type { LeadBatch } from '../db/bulk/lead-batch.js';
import { LeadGenerator } from './seed.data.js';
import type { GeneratorInput } from './seed.worker.js';

/** Where a seed run takes its batches from, in order; `undefined` after the last. */
export type BatchSource = {
  next(): Promise<LeadBatch | undefined>;
  /** Stops generating; batches not taken are dropped. */
  close(): Promise<void>;
};

/**
 * The batches of a seed run, `size` leads each. From the build, they are generated one ahead in
 * a worker thread, so generating the next batch overlaps writing this one (SQLite's inserts run
 * on the main thread, PostgreSQL's on the server). From the TypeScript sources (tsx), which a
 * worker cannot load, they are generated in this thread. The rows are the same either way.
 *
 * @example const batches = batchSource(input, 10000); const first = await batches.next();
 */
export function batchSource(input: GeneratorInput, size: number): BatchSource {
  return import.meta.url.endsWith('.js')
    ? new WorkerBatches(input, size)
    : inThreadBatches(input, size);
}

function inThreadBatches(input: GeneratorInput, size: number): BatchSource {
  const generator = new LeadGenerator(input.plan, input.total, input.randomSeed);
  let generated = 0;
  return {
    async next() {
      if (generated >= input.total) return undefined;
      const batch = generator.next(size);
      generated += batch.size;
      return batch;
    },
    async close() {},
  };
}

class WorkerBatches implements BatchSource {
  private readonly worker: Worker;
  /** Answers owed by the worker, oldest first (it answers in the order it was asked). */
  private readonly owed: Array<{ resolve(b: LeadBatch): void; reject(e: Error): void }> = [];
  private ahead: Promise<LeadBatch> | undefined;
  private requested = 0;
  private failure: Error | undefined;

  constructor(
    private readonly input: GeneratorInput,
    private readonly size: number,
  ) {
    this.worker = new Worker(new URL('./seed.worker.js', import.meta.url), { workerData: input });
    this.worker.on('message', (batch: LeadBatch) => this.owed.shift()?.resolve(batch));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the seed generator stopped (${code})`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.owed.splice(0)) waiting.reject(this.failure);
  }

  private request(): Promise<LeadBatch> | undefined {
    if (this.requested >= this.input.total) return undefined;
    if (this.failure) return Promise.reject(this.failure);
    const size = Math.min(this.size, this.input.total - this.requested);
    this.requested += size;
    const batch = new Promise<LeadBatch>((resolve, reject) => this.owed.push({ resolve, reject }));
    // Awaited by the next call of next(); a failure meanwhile must not go unhandled.
    batch.catch(() => {});
    this.worker.postMessage(size);
    return batch;
  }

  async next(): Promise<LeadBatch | undefined> {
    const current = this.ahead ?? this.request();
    this.ahead = this.request();
    return current;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
