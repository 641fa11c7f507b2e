import { createHash } from 'node:crypto';
import type { LeadFilters, LeadPage, LeadPosition } from './lead.repository.js';

/**
 * The keyset cursor of `GET /v2/leads`: where the next page starts, for one sort and one set of
 * filters. It is base64url of `1.<sort><direction>.<key>.<id>.<filters>`, where `key` is the
 * last lead's sort value (its id under the id sort), `id` its id and `filters` a hash of the
 * request's filters. It carries nothing the caller has not seen: one lead's id and sort value,
 * and a hash of the caller's own query. Any change of format bumps the leading version, so an
 * older cursor is refused rather than misread.
 */

const VERSION = '1';
const SORT_CODES = { id: 'i', created_on: 'c', last_updated_on: 'u' } as const;
const DIRECTION_CODES = { asc: 'a', desc: 'd' } as const;
const PAYLOAD = /^1\.([icu])([ad])\.(-?\d{1,16})\.(\d{1,16})\.([A-Za-z0-9_-]{11})$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The longest cursor Leadline issues is about 70 characters; anything longer is not one. */
export const CURSOR_MAX_LENGTH = 128;

export type LeadCursor = {
  sortBy: LeadPage['sortBy'];
  direction: LeadPage['direction'];
  after: LeadPosition;
  filters: string;
};

/**
 * A short hash of the filters as the repository applies them, so the spellings that mean the
 * same filter (`type=ALL` and no type, `substatus` and `subStatus`) have the same hash.
 */
export function filtersHash(filters: LeadFilters): string {
  const canonical = JSON.stringify([
    filters.userId ?? null,
    filters.status ?? null,
    filters.subStatus ?? null,
    filters.type ?? null,
    filters.ownerId ?? null,
    filters.orgSourceId ?? null,
    filters.createdUnder?.type ?? null,
    filters.createdUnder?.code ?? null,
  ]);
  // 64 bits: it guards against a client mixing up its walks, not against forgery (a forged
  // cursor can only choose where the caller's own org's list starts).
  return createHash('sha256').update(canonical).digest().subarray(0, 8).toString('base64url');
}

export function encodeLeadCursor(cursor: LeadCursor): string {
  const payload = [
    VERSION,
    SORT_CODES[cursor.sortBy] + DIRECTION_CODES[cursor.direction],
    cursor.after.key,
    cursor.after.id,
    cursor.filters,
  ].join('.');
  return Buffer.from(payload, 'utf8').toString('base64url');
}

const sortOf = Object.fromEntries(
  Object.entries(SORT_CODES).map(([sort, code]) => [code, sort as LeadPage['sortBy']]),
);
const directionOf = Object.fromEntries(
  Object.entries(DIRECTION_CODES).map(([direction, code]) => [
    code,
    direction as LeadPage['direction'],
  ]),
);

/**
 * The cursor `text` stands for, or undefined when it is not exactly a cursor Leadline issues:
 * only the canonical spelling is accepted, so every other string is refused the same way.
 *
 * @example decodeLeadCursor(encodeLeadCursor(cursor)) // deep-equals cursor
 */
export function decodeLeadCursor(text: string): LeadCursor | undefined {
  if (text.length > CURSOR_MAX_LENGTH || !BASE64URL.test(text)) return undefined;
  const payload = Buffer.from(text, 'base64url').toString('utf8');
  const match = PAYLOAD.exec(payload);
  if (!match) return undefined;
  const [, sortCode = '', directionCode = '', keyText = '', idText = '', filters = ''] = match;
  const sortBy = sortOf[sortCode];
  const direction = directionOf[directionCode];
  const key = Number(keyText);
  const id = Number(idText);
  if (sortBy === undefined || direction === undefined) return undefined;
  if (!Number.isSafeInteger(key) || !Number.isSafeInteger(id) || id < 1) return undefined;
  if (sortBy === 'id' && key !== id) return undefined;
  const cursor: LeadCursor = { sortBy, direction, after: { key, id }, filters };
  return encodeLeadCursor(cursor) === text ? cursor : undefined;
}
