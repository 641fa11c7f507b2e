import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';

export type ChannelRow = Pick<Row<'channels'>, 'source_id' | 'name'>;

/** True when the org has a channel with this `orgSourceId`. */
export async function channelExists(db: Db, orgId: number, sourceId: number): Promise<boolean> {
  const row = await db
    .selectFrom('channels')
    .select('source_id')
    .where('org_id', '=', orgId)
    .where('source_id', '=', sourceId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The org's channels by `orgSourceId` (the primary key `(org_id, source_id)` serves it). */
export function listChannels(db: Db, orgId: number): Promise<ChannelRow[]> {
  return db
    .selectFrom('channels')
    .select(['source_id', 'name'])
    .where('org_id', '=', orgId)
    .orderBy('source_id')
    .execute();
}

export async function insertChannels(
  db: Db,
  orgId: number,
  channels: ReadonlyArray<{ sourceId: number; name: string }>,
): Promise<void> {
  await db
    .insertInto('channels')
    .values(channels.map((c) => ({ org_id: orgId, source_id: c.sourceId, name: c.name })))
    .execute();
}
