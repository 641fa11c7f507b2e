import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import { listChannels, type ChannelRow } from './channel.repository.js';
import type { Channel } from './channel.schemas.js';

/** The one place a channel row becomes an API object. */
export function channelRowToChannel(row: ChannelRow): Channel {
  return { orgSourceId: row.source_id, name: row.name };
}

/**
 * The caller's org's channels, ordered by `orgSourceId` (in-store, -1, first).
 *
 * @example await getChannels(ctx, caller) // [{ orgSourceId: -1, name: 'INSTORE' }, { orgSourceId: 1, name: 'FACEBOOK' }, …]
 */
export async function getChannels(ctx: AppContext, caller: Caller): Promise<Channel[]> {
  return (await listChannels(ctx.store.db, caller.orgId)).map(channelRowToChannel);
}
