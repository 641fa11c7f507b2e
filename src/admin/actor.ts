import type { Caller } from '../auth/caller.js';

/** Who makes an administrative change: an org's ADMIN_USER through the API, or the CLI. */
export type Actor = { orgId: number; actorId: number };

/** `actor_id` of changes made on the command line (whoever runs it has the database). */
export const CLI_ACTOR_ID = -1;

export function actorOf(caller: Caller): Actor {
  return { orgId: caller.orgId, actorId: caller.entityId };
}

export function cliActor(orgId: number): Actor {
  return { orgId, actorId: CLI_ACTOR_ID };
}
