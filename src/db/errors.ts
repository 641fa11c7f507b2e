/** True when `error` is a unique-constraint violation, on either store. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  // PostgreSQL SQLSTATE 23505; better-sqlite3's extended result codes.
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/**
 * What a store failure means for the client: the store is unreachable or too slow
 * (`unavailable`: retry later), or has no room for a write (`full`). Undefined for every other
 * error, which is a bug or a bad request rather than a fault of the store.
 */
export type StoreFault = 'unavailable' | 'full';

/** Node's socket errors: the store's host refused, reset or never answered. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** node-postgres's own messages for a lost or timed-out connection (they carry no code). */
const PG_CLIENT_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'Client was closed and is not queryable',
];

export function storeFaultOf(error: unknown): StoreFault | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // SQLite: a full disk or the database's page limit; I/O errors, a lock held too long, a
    // read-only or vanished file.
    if (code === 'SQLITE_FULL') return 'full';
    if (/^SQLITE_(IOERR|BUSY|LOCKED|CANTOPEN|READONLY|NOMEM|PROTOCOL)/.test(code)) {
      return 'unavailable';
    }
    // PostgreSQL SQLSTATEs: 53100 disk full; class 08 connection exceptions; 57P01-57P03
    // administrator or crash shut-down and "cannot connect now"; 53300 too many connections;
    // 53200 out of memory; 57014 statement timeout; 25006 a read-only (standby) server.
    if (code === '53100') return 'full';
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '57014') return 'unavailable';
    if (code === '53300' || code === '53200' || code === '25006') return 'unavailable';
    if (NETWORK_CODES.has(code)) return 'unavailable';
  }
  if (typeof message === 'string' && PG_CLIENT_MESSAGES.some((m) => message.includes(m))) {
    return 'unavailable';
  }
  return undefined;
}
