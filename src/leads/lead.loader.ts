import type { Db } from '../db/database.js';
import { listFollowUps, listStatusLogs } from './history.repository.js';
import type { LeadRow } from './lead.repository.js';
import { groupBy } from '../core/group-by.js';
import { leadRowToLead, type VersionedLead } from './lead.mapper.js';

/**
 * How many of its newest follow-ups and status-log rows a lead embeds: a lead's history may hold
 * thousands of rows, and every write answers the lead, so what it carries is bounded; the rest
 * is paged through GET /v2/leads/{id}/followups and /statusLog.
 */
export const EMBEDDED_HISTORY = { one: 100, list: 20 } as const;

/** Rows as API leads with their history: two queries for any number of rows, never one per lead. */
export async function loadLeads(
  db: Db,
  orgId: number,
  rows: LeadRow[],
  newest: number = EMBEDDED_HISTORY.one,
): Promise<VersionedLead[]> {
  const ids = rows.map((r) => r.id);
  const [followUps, statusLogs] = await Promise.all([
    listFollowUps(db, orgId, ids, newest),
    listStatusLogs(db, orgId, ids, newest),
  ]);
  const followUpsByLead = groupBy(followUps, (row) => row.lead_id);
  const logsByLead = groupBy(statusLogs, (row) => row.lead_id);
  return rows.map((row) =>
    leadRowToLead(row, followUpsByLead.get(row.id) ?? [], logsByLead.get(row.id) ?? []),
  );
}

/** A page of one lead's follow-ups or status log, oldest first. */
export type HistoryPage<T> = { data: T[]; next?: number };

/** One more row than asked was read: when it came, the page says where the next one starts. */
export function historyPage<T extends { id: number }>(rows: T[], limit: number): HistoryPage<T> {
  if (rows.length <= limit) return { data: rows };
  const data = rows.slice(0, limit);
  return { data, next: data[data.length - 1]?.id ?? 0 };
}
