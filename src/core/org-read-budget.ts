import { AppError } from './errors.js';

/**
 * Fairness between orgs for expensive reads: each org may have reads of at most `capacity`
 * units in progress in this process at once (a lead list costs one unit per 100 leads asked
 * for). More wait in the org's own queue, first come first served, so one org's burst of large
 * lists occupies the store for at most its budget while other orgs' requests go straight
 * through. A queue longer than four budgets answers 429 at once instead of holding sockets.
 *
 * @example const release = await budget.acquire(orgId, 10); try { … } finally { release(); }
 */
export class OrgReadBudget {
  private readonly orgs = new Map<
    number,
    { inUse: number; queue: Array<{ weight: number; start(): void }>; queued: number }
  >();

  /** `capacity` 0 turns the budget off. */
  constructor(private readonly capacity: number) {}

  /** The cost of a list of `limit` leads. */
  static listWeight(limit: number): number {
    return Math.max(1, Math.ceil(limit / 100));
  }

  async acquire(orgId: number, requested: number): Promise<() => void> {
    if (this.capacity === 0) return () => undefined;
    const weight = Math.min(requested, this.capacity);
    let org = this.orgs.get(orgId);
    if (!org) {
      org = { inUse: 0, queue: [], queued: 0 };
      this.orgs.set(orgId, org);
    }
    const state = org;
    const release = () => {
      state.inUse -= weight;
      this.drain(orgId);
    };
    if (state.queue.length === 0 && state.inUse + weight <= this.capacity) {
      state.inUse += weight;
      return release;
    }
    if (state.queued + weight > 4 * this.capacity) {
      throw AppError.of(
        'TOO_MANY_REQUESTS',
        'too many large reads of this org are waiting; retry in 1 s or ask for fewer leads',
        { 'retry-after': '1' },
      );
    }
    state.queued += weight;
    await new Promise<void>((resolve) => state.queue.push({ weight, start: resolve }));
    return release;
  }

  private drain(orgId: number): void {
    const state = this.orgs.get(orgId);
    if (!state) return;
    while (state.queue.length > 0) {
      const next = state.queue[0];
      if (!next || state.inUse + next.weight > this.capacity) break;
      state.queue.shift();
      state.queued -= next.weight;
      state.inUse += next.weight;
      next.start();
    }
    if (state.inUse === 0 && state.queue.length === 0) this.orgs.delete(orgId);
  }
}
