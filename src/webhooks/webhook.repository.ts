import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';

export type WebhookRow = Row<'webhook_endpoints'>;
export type NewWebhookRow = Omit<WebhookRow, 'id'>;

export async function insertWebhook(trx: Db, row: NewWebhookRow): Promise<WebhookRow> {
  return trx.insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The org's endpoints, oldest first. */
export async function findOrgWebhooks(db: Db, orgId: number): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}

/** One endpoint of the org, or undefined (another org's id reads like an unknown one). */
export async function findOrgWebhook(
  db: Db,
  orgId: number,
  id: number,
): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateWebhook(
  trx: Db,
  orgId: number,
  id: number,
  changes: Partial<Omit<WebhookRow, 'id' | 'org_id' | 'created_on'>>,
): Promise<WebhookRow | undefined> {
  return trx
    .updateTable('webhook_endpoints')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteWebhook(trx: Db, orgId: number, id: number): Promise<boolean> {
  const result = await trx
    .deleteFrom('webhook_endpoints')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
