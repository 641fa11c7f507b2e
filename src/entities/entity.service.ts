import type { AppContext } from '../core/context.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LOGIN_ENTITY_TYPES, type EntityType } from '../db/schema.js';
import { AppError, FieldErrors } from '../core/errors.js';
import { requireOrg, findOrgById } from '../orgs/index.js';
import { hashSecret, md5Hex } from '../core/secrets.js';
import { cliActor, type Actor } from '../core/actor.js';
import { recordAudit } from '../audit/index.js';
import type { Caller } from '../core/caller.js';
import { effectivePerMinute } from '../core/rate-limit-config.js';
import type { Static } from '@sinclair/typebox';
import {
  EntityChangeBody,
  EntityCreateBody,
  PERMISSIONS,
  type Entity,
  type Me,
  type Permission,
} from './entity.schemas.js';
import { checkInput } from '../http/validation.js';
import {
  countLoginEntities,
  findEntitiesByIds,
  findEntityByCode,
  findLoginByUsername,
  insertEntity,
  listEntityRows,
  setEntityCredentials,
  type EntityRow,
} from './entity.repository.js';

/** An entity as the API shows it. */
export type EntityView = Entity;

export function canLogIn(type: EntityType): boolean {
  return (LOGIN_ENTITY_TYPES as readonly string[]).includes(type);
}

function entityRowToView(row: EntityRow): EntityView {
  return {
    id: row.id,
    orgId: row.org_id,
    type: row.type,
    code: row.code,
    ...(row.parent_id === null ? {} : { parentId: row.parent_id }),
    canLogIn: row.username !== null,
    disabled: row.disabled !== 0,
  };
}

async function requireEntity(db: Db, orgId: number, code: string): Promise<EntityRow> {
  const row = await findEntityByCode(db, orgId, code);
  if (!row) throw AppError.of('ENTITY_NOT_FOUND', `no entity ${code.slice(0, 100)} in this org`);
  return row;
}

/** For the `{code}` path of an entity route: ENTITY_NOT_FOUND before any body error. */
export async function requireEntityPath(
  ctx: AppContext,
  orgId: number,
  code: string,
): Promise<void> {
  await requireEntity(ctx.store.db, orgId, code);
}

/**
 * Adds an org unit or a log-in entity to the actor's org. With a password the entity can log
 * in, its username being its code (unique across the deployment); the password is stored only
 * as Argon2id of its MD5 hex, the form clients send. Recorded in the audit log.
 *
 * @example await addEntity(ctx, actor, { type: 'TILL', code: 'till-1', parent: 'store-1', password: 's3cret-pw' });
 */
export async function addEntity(
  ctx: AppContext,
  actor: Actor,
  input: EntityCreateBody,
): Promise<EntityView> {
  // The input's shape is the schema's (the route and the CLI check it): here are the rules a
  // schema cannot state.
  const errors = new FieldErrors();
  const { type } = input;
  if (input.password !== undefined && !canLogIn(type)) {
    errors.add('FIELD_INVALID_VALUE', `password: a ${type} cannot log in`);
  }
  let parent: EntityRow | undefined;
  if (input.parent !== undefined) {
    parent = await findEntityByCode(ctx.store.db, actor.orgId, input.parent);
    if (!parent)
      errors.add('FIELD_UNKNOWN_REFERENCE', `parent: no entity ${input.parent} in this org`);
  }
  errors.throwIfAny();

  const username = input.password === undefined ? null : input.code;
  if (username !== null && (await findLoginByUsername(ctx.store.db, username))) {
    throw AppError.of('USERNAME_TAKEN', `username ${username} is taken in this deployment`);
  }
  const passwordHash =
    input.password === undefined ? null : await hashSecret(md5Hex(input.password));
  try {
    const row = await ctx.store.transaction(async (trx) => {
      if (await findEntityByCode(trx, actor.orgId, input.code)) {
        throw AppError.of('ENTITY_EXISTS', `entity ${input.code} exists already in this org`);
      }
      if (username !== null) await requireLoginRoom(ctx, trx, actor.orgId);
      const now = ctx.clock.now();
      const inserted = await insertEntity(trx, {
        orgId: actor.orgId,
        type,
        code: input.code,
        parentId: parent?.id ?? null,
        username,
        passwordHash,
        now,
      });
      await recordAudit(
        trx,
        actor,
        'entity.create',
        input.code,
        { type, parent: input.parent ?? null, canLogIn: username !== null },
        now,
      );
      return inserted;
    });
    return entityRowToView(row);
  } catch (error) {
    // Another process may have taken the code or username between the check and the insert.
    if (isUniqueViolation(error)) {
      throw String((error as Error).message).includes('username')
        ? AppError.of('USERNAME_TAKEN', `username ${input.code} is taken in this deployment`)
        : AppError.of('ENTITY_EXISTS', `entity ${input.code} exists already in this org`);
    }
    throw error;
  }
}

/**
 * The CLI's `entity create`: {@link addEntity} in the org named `org`, recorded as a CLI change.
 */
export async function createEntity(
  ctx: AppContext,
  input: { org: string; type: string; code: string; parent?: string; password?: string },
): Promise<EntityView> {
  const org = await requireOrg(ctx, input.org);
  const body = {
    type: input.type.toUpperCase(),
    code: input.code,
    ...(input.parent === undefined ? {} : { parent: input.parent }),
    ...(input.password === undefined ? {} : { password: input.password }),
  };
  // The API's own schema: the command line meets the same rules as the API.
  checkInput(EntityCreateBody, body);
  return addEntity(ctx, cliActor(org.id), body);
}

export type EntityChange = EntityChangeBody;

/** {@link addEntity} for callers without the API's schema in front (the web app's people page). */
export function addEntityChecked(
  ctx: AppContext,
  actor: Actor,
  body: EntityCreateBody,
): Promise<EntityView> {
  checkInput(EntityCreateBody, body);
  return addEntity(ctx, actor, body);
}

/**
 * {@link changeEntity} for callers without the API's schema in front (the CLI's `entity
 * password|disable|enable`, the web app's people page): the change checked by that schema first.
 */
export function changeEntityChecked(
  ctx: AppContext,
  actor: Actor,
  code: string,
  change: EntityChange,
): Promise<EntityView> {
  checkInput(EntityChangeBody, change);
  return changeEntity(ctx, actor, code, change);
}

/**
 * Disables or re-enables an entity and/or sets its password (which also lets an entity without
 * credentials log in, if its type can). Takes effect at once for every server process: the
 * credential cache is keyed to the stored hash and authentication reads `disabled` each time.
 */
export async function changeEntity(
  ctx: AppContext,
  actor: Actor,
  code: string,
  change: EntityChange,
): Promise<EntityView> {
  const entity = await requireEntity(ctx.store.db, actor.orgId, code);
  const errors = new FieldErrors();
  if (change.disabled === undefined && change.password === undefined) {
    errors.add('FIELD_REQUIRED', 'disabled or password is required');
  }
  if (change.disabled === true && entity.id === actor.actorId) {
    errors.add('FIELD_INVALID_VALUE', 'disabled: an administrator cannot disable itself');
  }
  if (change.password !== undefined) {
    if (!canLogIn(entity.type))
      errors.add('FIELD_INVALID_VALUE', `password: a ${entity.type} cannot log in`);
  }
  errors.throwIfAny();
  if (change.password !== undefined && entity.username === null) {
    const holder = await findLoginByUsername(ctx.store.db, entity.code);
    if (holder)
      throw AppError.of('USERNAME_TAKEN', `username ${entity.code} is taken in this deployment`);
  }
  const passwordHash =
    change.password === undefined ? undefined : await hashSecret(md5Hex(change.password));
  const row = await ctx.store
    .transaction(async (trx) => {
      if (passwordHash !== undefined && entity.username === null) {
        await requireLoginRoom(ctx, trx, actor.orgId);
      }
      const now = ctx.clock.now();
      const updated = await setEntityCredentials(trx, actor.orgId, entity.id, {
        ...(change.disabled === undefined ? {} : { disabled: change.disabled ? 1 : 0 }),
        ...(passwordHash === undefined
          ? {}
          : { password_hash: passwordHash, username: entity.code }),
      });
      if (change.disabled !== undefined) {
        await recordAudit(
          trx,
          actor,
          change.disabled ? 'entity.disable' : 'entity.enable',
          code,
          {},
          now,
        );
      }
      if (passwordHash !== undefined) {
        // The audit says that the password changed, never what to.
        await recordAudit(trx, actor, 'entity.password', code, {}, now);
      }
      return updated;
    })
    .catch((error: unknown) => {
      // Another org's entity of the same code may have claimed the username between the check
      // above and this write (the hash takes a while): the same 409 as the check gives.
      if (isUniqueViolation(error) && passwordHash !== undefined) {
        throw AppError.of('USERNAME_TAKEN', `username ${entity.code} is taken in this deployment`);
      }
      throw error;
    });
  return entityRowToView(row);
}

/** The org's entities, oldest first, optionally of one type. */
export async function listEntities(
  ctx: AppContext,
  orgId: number,
  query: { type?: EntityType | undefined; limit: number; offset: number },
): Promise<EntityView[]> {
  const rows = await listEntityRows(ctx.store.db, orgId, query);
  return rows.map(entityRowToView);
}

/**
 * 409 when the org has as many log-in entities as the operator allows: every one has its own
 * rate-limit budget, so an org could otherwise multiply its share of the server by adding tills.
 */
async function requireLoginRoom(ctx: AppContext, trx: Db, orgId: number): Promise<void> {
  const max = ctx.config.orgMaxLoginEntities;
  if (max === 0) return;
  if ((await countLoginEntities(trx, orgId)) >= max) {
    throw AppError.of(
      'LOGIN_ENTITY_LIMIT',
      `this org already has ${max} entities that can log in, the most this deployment allows (ORG_MAX_LOGIN_ENTITIES)`,
    );
  }
}

export type CallerView = Static<typeof Me>;

/**
 * Who the caller is and what it may do (`GET /v2/me`): its entity, org and parent, the route
 * families open to it, and the org policy that applies to its requests.
 */
export async function describeCaller(ctx: AppContext, caller: Caller): Promise<CallerView> {
  const db = ctx.store.db;
  const self = (await findEntitiesByIds(db, caller.orgId, [caller.entityId])).get(caller.entityId);
  if (!self) throw AppError.of('UNAUTHORIZED', 'the credential’s entity no longer exists');
  const parent =
    self.parent_id === null
      ? undefined
      : (await findEntitiesByIds(db, caller.orgId, [self.parent_id])).get(self.parent_id);
  const org = await findOrgById(db, caller.orgId);
  const permissions: Permission[] = PERMISSIONS.filter(
    (p) => p !== 'admin' || caller.entityType === 'ADMIN_USER',
  );
  return {
    id: self.id,
    code: self.code,
    type: self.type,
    org: { id: caller.orgId, name: org?.name ?? '' },
    parent: parent ? { id: parent.id, code: parent.code, type: parent.type } : null,
    permissions,
    rateLimitPerMinute: effectivePerMinute(caller.org.rateLimitPerMinute, ctx.config.rateLimit),
    requireIfMatch: caller.org.requireIfMatch,
  };
}
