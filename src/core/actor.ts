import type { Caller } from './caller.js';

/** Who makes an administrative change: an org's ADMIN_USER through the API, or the CLI. */
export type Actor = { orgId: number; actorId: number };

/**
 * The id recorded as the actor of what no entity did: auto-close, and changes made on the command
 * line (whoever runs it has the database). The API shows it as `-1` (`ActorId` in http/schemas).
 */
export const SYSTEM_ACTOR_ID = -1;

export function actorOf(caller: Caller): Actor {
  return { orgId: caller.orgId, actorId: caller.entityId };
}

export function cliActor(orgId: number): Actor {
  return { orgId, actorId: SYSTEM_ACTOR_ID };
}
