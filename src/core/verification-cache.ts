import { sha256Hex } from './secrets.js';

/**
 * Remembers successful Argon2 verifications for a short while so a till sending the same Basic
 * credentials on every request pays one indexed row read, not a 50 ms hash.
 *
 * An entry is keyed by the username and a SHA-256 of the presented secret, and remembers the
 * stored hash it was verified against. It only counts while the entity's *current* stored hash
 * is that same string: a rotated password, a disabled entity or a deleted credential changes or
 * removes the row the caller reads on every request, so the entry stops working at once, in
 * every server process, without any invalidation message.
 */
export class VerificationCache {
  private readonly entries = new Map<string, { storedHash: string; expiresAt: number }>();
  /** Verifications in progress, by username, secret and stored hash. */
  private readonly running = new Map<string, Promise<boolean>>();
  /** Lookups answered from the cache and lookups that needed a full verification. */
  /** Lookups that found a verified secret, those that did not, and verifications run. */
  readonly stats = { hits: 0, misses: 0, verifications: 0 };

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  private key(username: string, secret: string): string {
    return `${username}\u0000${sha256Hex(secret)}`;
  }

  /** True when `secret` was verified against exactly `storedHash` within the TTL. */
  has(username: string, secret: string, storedHash: string, now: number): boolean {
    const key = this.key(username, secret);
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now && entry.storedHash === storedHash) {
      this.stats.hits += 1;
      return true;
    }
    if (entry) this.entries.delete(key);
    this.stats.misses += 1;
    return false;
  }

  /**
   * Runs `verify` once for concurrent identical checks (same username, secret and stored hash):
   * a till that opens with ten parallel requests costs one verification, and goes through the
   * failed-log-in guard once, not ten times.
   */
  shared(
    username: string,
    secret: string,
    storedHash: string,
    verify: () => Promise<boolean>,
  ): Promise<boolean> {
    const key = `${this.key(username, secret)}\u0000${storedHash}`;
    const running = this.running.get(key);
    if (running) return running;
    this.stats.verifications += 1;
    const started = verify().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }

  remember(username: string, secret: string, storedHash: string, now: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(this.key(username, secret), { storedHash, expiresAt: now + this.ttlMs });
  }
}
