import { sql } from 'kysely';
import type { Db } from '../schema.js';
import { numberAt, statusFactsOf, textAt, type LeadBatch } from './lead-batch.js';
import type { StayFacts } from '../status-stays.js';
import type { BulkWriter } from './bulk-writer.js';

/**
 * Writes seed batches on PostgreSQL: each table's rows of a batch in one INSERT … SELECT from
 * `unnest` of one array per column (a handful of parameters whatever the batch size), the three
 * tables in one transaction. `parallel` batches are written at once on as many connections of
 * the pool: the server's work (index upkeep above all) is the bottleneck, and one backend uses
 * one core.
 *
 * Lead ids come from the table's identity sequence (`nextval`, as many as the batch needs),
 * never from `max(id)`: an explicit id does not move the sequence, and a running server draws
 * from it meanwhile. History rows take their ids from their identity columns, inserted in the
 * order of their arrays (`with ordinality … order by`), oldest first per lead.
 */
export function postgresBulkWriter(db: Db, parallel: number): BulkWriter {
  // Ids are drawn one batch after the other, even while batches are written side by side, so
  // that ids keep growing with created_on from one batch to the next.
  let lastDraw: Promise<unknown> = Promise.resolve();
  const drawIds = (count: number): Promise<number[]> => {
    const draw = lastDraw.then(async () => {
      const drawn = await sql<{ id: number }>`
        select nextval(pg_get_serial_sequence('leads', 'id')) as id
        from generate_series(1, ${count}::int)`.execute(db);
      // Sorted: ids grow with created_on within the batch too.
      return drawn.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    });
    lastDraw = draw.catch(() => undefined);
    return draw;
  };

  return {
    parallel,
    async write(orgId: number, batch: LeadBatch) {
      if (batch.size === 0) return { firstLeadId: 0, lastLeadId: -1 };
      // Outside the transaction: nextval is never rolled back anyway, and a failed batch only
      // leaves a gap in the ids, as a failed insert of the service does.
      const ids = await drawIds(batch.size);
      const idOf = (position: number) => ids[position] as number;
      return db.transaction().execute(async (trx) => {
        const n = batch.size;
        const texts = (column: Int32Array, count: number) =>
          Array.from(column.subarray(0, count), (_, i) => textAt(batch, column, i));
        const numbers = (column: Float64Array, count: number) =>
          Array.from(column.subarray(0, count), (_, i) => numberAt(column, i));
        const facts = statusFactsOf(batch);
        const stayed = (column: keyof StayFacts) =>
          facts.stays.map((stay) => stay?.[column] ?? null);
        await sql`
          insert into leads (id, org_id, user_id, type, lead_for, status, sub_status, owner_id,
            next_follow_up, last_follow_up, created_on, created_by, last_updated_on,
            last_updated_by, org_source_id, extended_fields, version, reached_statuses,
            status_reason_id, status_changed_by, status_since, stayed_open_ms,
            stayed_on_hold_ms, stayed_won_ms, stayed_lost_ms, stayed_deleted_ms,
            first_followed_up_on)
          select u.id, ${orgId}::bigint, u.user_id, u.type, u.lead_for, u.status, u.sub_status,
            u.owner_id, u.next_follow_up, u.last_follow_up, u.created_on, u.created_by,
            u.last_updated_on, u.last_updated_by, u.org_source_id, u.extended_fields, u.version,
            u.reached_statuses, u.status_reason_id, u.status_changed_by, u.status_since,
            u.stayed_open_ms, u.stayed_on_hold_ms, u.stayed_won_ms, u.stayed_lost_ms,
            u.stayed_deleted_ms, u.first_followed_up_on
          from unnest(${ids}::bigint[], ${numbers(batch.userId, n)}::bigint[],
            ${texts(batch.type, n)}::text[], ${texts(batch.leadFor, n)}::text[],
            ${texts(batch.status, n)}::text[], ${texts(batch.subStatus, n)}::text[],
            ${numbers(batch.ownerId, n)}::bigint[], ${numbers(batch.nextFollowUp, n)}::bigint[],
            ${numbers(batch.lastFollowUp, n)}::bigint[], ${numbers(batch.createdOn, n)}::bigint[],
            ${numbers(batch.createdBy, n)}::bigint[],
            ${numbers(batch.lastUpdatedOn, n)}::bigint[],
            ${numbers(batch.lastUpdatedBy, n)}::bigint[],
            ${numbers(batch.orgSourceId, n)}::integer[],
            ${texts(batch.extendedFields, n)}::text[], ${numbers(batch.version, n)}::integer[],
            ${Array.from(facts.reached)}::integer[], ${numbers(facts.reasonId, n)}::bigint[],
            ${numbers(facts.changedBy, n)}::bigint[], ${stayed('status_since')}::bigint[],
            ${stayed('stayed_open_ms')}::bigint[], ${stayed('stayed_on_hold_ms')}::bigint[],
            ${stayed('stayed_won_ms')}::bigint[], ${stayed('stayed_lost_ms')}::bigint[],
            ${stayed('stayed_deleted_ms')}::bigint[],
            ${numbers(facts.firstFollowedUpOn, n)}::bigint[])
            as u(id, user_id, type, lead_for, status, sub_status, owner_id, next_follow_up,
              last_follow_up, created_on, created_by, last_updated_on, last_updated_by,
              org_source_id, extended_fields, version, reached_statuses, status_reason_id,
              status_changed_by, status_since, stayed_open_ms, stayed_on_hold_ms, stayed_won_ms,
              stayed_lost_ms, stayed_deleted_ms, first_followed_up_on)`.execute(trx);

        const logs = batch.statusLogs;
        const leadIds = (column: Int32Array, count: number) =>
          Array.from(column.subarray(0, count), idOf);
        // A follow-up's copy of its lead's creator or creation instant (migration 0023).
        const ofLead = (lead: Int32Array, count: number, column: Float64Array) =>
          Array.from(lead.subarray(0, count), (position) => column[position] as number);
        await sql`
          insert into status_logs (org_id, lead_id, user_id, status, sub_status, created_by,
            created_on, reason_id)
          select ${orgId}::bigint, u.lead_id, u.user_id, u.status, u.sub_status, u.created_by,
            u.created_on, u.reason_id
          from unnest(${leadIds(logs.lead, logs.count)}::bigint[],
            ${numbers(logs.userId, logs.count)}::bigint[], ${texts(logs.status, logs.count)}::text[],
            ${texts(logs.subStatus, logs.count)}::text[],
            ${numbers(logs.createdBy, logs.count)}::bigint[],
            ${numbers(logs.createdOn, logs.count)}::bigint[],
            ${numbers(logs.reasonId, logs.count)}::bigint[])
            with ordinality as u(lead_id, user_id, status, sub_status, created_by, created_on,
              reason_id, ord)
          order by u.ord`.execute(trx);

        const fus = batch.followUps;
        if (fus.count > 0) {
          await sql`
            insert into follow_ups (org_id, lead_id, user_id, notes, created_by, created_on,
              followed_up_by, followed_up_on, scheduled_follow_up, lead_created_by,
              lead_created_on)
            select ${orgId}::bigint, u.lead_id, u.user_id, u.notes, u.created_by, u.created_on,
              u.followed_up_by, u.followed_up_on, u.scheduled_follow_up, u.lead_created_by,
              u.lead_created_on
            from unnest(${leadIds(fus.lead, fus.count)}::bigint[],
              ${numbers(fus.userId, fus.count)}::bigint[], ${texts(fus.notes, fus.count)}::text[],
              ${numbers(fus.createdBy, fus.count)}::bigint[],
              ${numbers(fus.createdOn, fus.count)}::bigint[],
              ${numbers(fus.followedUpBy, fus.count)}::bigint[],
              ${numbers(fus.followedUpOn, fus.count)}::bigint[],
              ${numbers(fus.scheduledFollowUp, fus.count)}::bigint[],
              ${ofLead(fus.lead, fus.count, batch.createdBy)}::bigint[],
              ${ofLead(fus.lead, fus.count, batch.createdOn)}::bigint[])
              with ordinality as u(lead_id, user_id, notes, created_by, created_on,
                followed_up_by, followed_up_on, scheduled_follow_up, lead_created_by,
                lead_created_on, ord)
            order by u.ord`.execute(trx);
        }
        return { firstLeadId: idOf(0), lastLeadId: idOf(batch.size - 1) };
      });
    },
    async finish() {
      // Fresh statistics, so the list queries are planned for a million rows at once rather
      // than after autovacuum's next pass; and a visibility map, without which an index-only
      // scan still visits every row's page (the analytics index at store scope,
      // docs/analytics.md). Plain VACUUM takes no lock that blocks reads or writes.
      await sql`vacuum (analyze) leads, status_logs, follow_ups, customers`.execute(db);
    },
  };
}
