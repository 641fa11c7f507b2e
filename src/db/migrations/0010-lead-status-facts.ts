import { sql, type Kysely, type QueryExecutorProvider } from 'kysely';

/**
 * What analytics (issue 12) read of a lead's status log, kept on the lead itself by the
 * transaction that appends to the log, so that a report over a million leads reads the leads
 * alone instead of grouping their whole log:
 *
 * - `reached_statuses`: every status the log holds, one bit each (OPEN 1, WON 2, LOST 4,
 *   ON_HOLD 8, DELETED 16);
 * - `status_reason_id`, `status_changed_by`: the reason and the author (-1: the system) of the
 *   newest row, the one that carries the lead's current status and sub-status.
 *
 * Existing leads are filled in from their log. The statement stands here as it shipped (a
 * migration never changes); the service keeps the facts with `statusFactsAfter`
 * (src/leads/status-facts.ts) and the bulk writers with `statusFactsOf`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('leads')
    .addColumn('reached_statuses', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('leads').addColumn('status_reason_id', 'bigint').execute();
  await db.schema.alterTable('leads').addColumn('status_changed_by', 'bigint').execute();
  await fillStatusFacts(db);
  // Every column a report filters, groups or counts by, after the org and the creator: a report
  // over one store's subtree reads a range of this index and never the leads themselves, and an
  // org-wide one reads the index, a third of the table's size.
  await db.schema
    .createIndex('leads_org_analytics_idx')
    .on('leads')
    .columns([
      'org_id',
      'created_by',
      'status',
      'reached_statuses',
      'created_on',
      'owner_id',
      'org_source_id',
      'type',
      'status_reason_id',
      'status_changed_by',
      'sub_status',
      'next_follow_up',
      'lead_for',
      'id',
    ])
    .execute();
}

/** Works every lead's status facts (or one org's leads') out from its status log. */
export async function fillStatusFacts(db: QueryExecutorProvider, orgId?: number): Promise<void> {
  const newest = (column: string) =>
    sql`(select s.${sql.ref(column)} from status_logs s
      where s.lead_id = leads.id order by s.id desc limit 1)`;
  await sql`update leads set
    reached_statuses = coalesce((select sum(distinct case s.status when 'OPEN' then 1
      when 'WON' then 2 when 'LOST' then 4 when 'ON_HOLD' then 8 when 'DELETED' then 16 else 0
      end) from status_logs s where s.lead_id = leads.id), 0),
    status_reason_id = ${newest('reason_id')},
    status_changed_by = ${newest('created_by')}
    ${orgId === undefined ? sql`` : sql`where org_id = ${orgId}`}`.execute(db);
}
