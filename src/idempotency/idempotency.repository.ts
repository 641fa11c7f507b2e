import type { Db } from '../db/database.js';

/** The stored responses of requests sent with an `Idempotency-Key`, one per entity and key. */

export type StoredResponse = {
  request_hash: string;
  status_code: number;
  response_body: string;
  etag: string | null;
};

export async function findStoredResponse(
  trx: Db,
  caller: { orgId: number; entityId: number },
  key: string,
): Promise<StoredResponse | undefined> {
  return trx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response_body', 'etag'])
    .where('org_id', '=', caller.orgId)
    .where('entity_id', '=', caller.entityId)
    .where('idem_key', '=', key)
    .executeTakeFirst();
}

export async function storeResponse(
  trx: Db,
  row: StoredResponse & { entity_id: number; idem_key: string; org_id: number; created_on: number },
): Promise<void> {
  await trx.insertInto('idempotency_keys').values(row).execute();
}

export async function deleteResponsesBefore(trx: Db, orgId: number, before: number): Promise<void> {
  await trx
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', orgId)
    .where('created_on', '<', before)
    .execute();
}
