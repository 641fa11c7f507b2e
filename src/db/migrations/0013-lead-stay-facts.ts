import { sql, type Kysely, type QueryExecutorProvider } from 'kysely';

/**
 * What time in status (issue 12) reads of a lead's status log and follow-ups, kept on the lead
 * itself by the transaction that appends to them, so that the report reads the leads alone
 * instead of ordering their whole log (src/db/status-stays.ts):
 *
 * - `status_since`: when the lead's current stay began;
 * - `stayed_open_ms`, `stayed_on_hold_ms`, `stayed_won_ms`, `stayed_lost_ms`,
 *   `stayed_deleted_ms`: the total length of its finished stays in each status (null: none);
 * - `first_followed_up_on`: its earliest follow-up's `followed_up_on` (null: never followed up).
 *
 * Existing leads are filled in from their log and follow-ups. The statements stand here as they
 * shipped (a migration never changes); the service keeps the facts with `stayFactsAfter` and
 * the bulk writers with `statusFactsOf`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of [
    'status_since',
    'stayed_open_ms',
    'stayed_on_hold_ms',
    'stayed_won_ms',
    'stayed_lost_ms',
    'stayed_deleted_ms',
    'first_followed_up_on',
  ]) {
    await db.schema.alterTable('leads').addColumn(column, 'bigint').execute();
  }
  await fillStayFacts(db);
}

/** Works every lead's stay facts (or one org's leads') out from its status log and follow-ups. */
export async function fillStayFacts(db: QueryExecutorProvider, orgId?: number): Promise<void> {
  const ofOrg = (alias: string) =>
    orgId === undefined ? sql`` : sql`where ${sql.ref(`${alias}.org_id`)} = ${orgId}`;
  const stayed = (status: string) =>
    sql`sum(case when status = ${sql.lit(status)} and ended_on > started_on
      then ended_on - started_on end)`;
  // A stay starts at a row whose status differs from the row before it (in log order) and ends
  // where the next stay starts; the current stay has no end.
  await sql`update leads set
      status_since = x.since,
      stayed_open_ms = x.open_ms,
      stayed_on_hold_ms = x.on_hold_ms,
      stayed_won_ms = x.won_ms,
      stayed_lost_ms = x.lost_ms,
      stayed_deleted_ms = x.deleted_ms
    from (
      select lead_id, max(case when ended_on is null then started_on end) as since,
        ${stayed('OPEN')} as open_ms, ${stayed('ON_HOLD')} as on_hold_ms,
        ${stayed('WON')} as won_ms, ${stayed('LOST')} as lost_ms,
        ${stayed('DELETED')} as deleted_ms
      from (
        select lead_id, status, created_on as started_on,
          lead(created_on) over (partition by lead_id order by created_on, id) as ended_on
        from (
          select s.lead_id, s.id, s.status, s.created_on,
            lag(s.status) over (partition by s.lead_id order by s.created_on, s.id) as previous
          from status_logs s ${ofOrg('s')}
        ) log
        where previous is null or previous <> status
      ) stays
      group by lead_id
    ) x
    where x.lead_id = leads.id`.execute(db);
  await sql`update leads set first_followed_up_on =
      (select min(f.followed_up_on) from follow_ups f where f.lead_id = leads.id)
    ${ofOrg('leads')}`.execute(db);
}
