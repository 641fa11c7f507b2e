import type { AppContext } from '../context.js';
import { isUniqueViolation } from '../db/errors.js';
import { ENTITY_TYPES, LOGIN_ENTITY_TYPES, type EntityType } from '../db/schema.js';
import { AppError } from '../http/errors.js';
import { requireOrg } from '../orgs/org.service.js';
import { hashSecret, md5Hex } from '../auth/secrets.js';
import {
  findEntityByCode,
  findLoginByUsername,
  insertEntity,
  type EntityRow,
} from './entity.repository.js';

export type CreateEntityInput = {
  org: string;
  type: string;
  code: string;
  parent?: string | undefined;
  password?: string | undefined;
};

export type EntityView = {
  id: number;
  orgId: number;
  type: EntityType;
  code: string;
  parentId?: number;
  canLogIn: boolean;
};

const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}

function canLogIn(type: EntityType): boolean {
  return (LOGIN_ENTITY_TYPES as readonly string[]).includes(type);
}

/**
 * Creates an org unit or a log-in entity. With a password the entity can log in, its username
 * being its code; the password is stored only as Argon2id of its MD5 hex (what clients send).
 *
 * @example await createEntity(ctx, { org: 'Acme', type: 'TILL', code: 'till-1', parent: 'store-1', password: 's3cret' });
 */
export async function createEntity(ctx: AppContext, input: CreateEntityInput): Promise<EntityView> {
  const org = await requireOrg(ctx, input.org);
  const type = input.type.toUpperCase();
  if (!isEntityType(type)) {
    throw AppError.of('INVALID_ARGUMENT', `--type must be one of ${ENTITY_TYPES.join(', ')}`);
  }
  if (!CODE_PATTERN.test(input.code)) {
    throw AppError.of(
      'INVALID_ARGUMENT',
      '--code must be 1 to 100 letters, digits, dots, dashes, underscores or @, starting with a letter or digit',
    );
  }
  if (input.password !== undefined) {
    if (!canLogIn(type)) {
      throw AppError.of('INVALID_ARGUMENT', `--password: a ${type} cannot log in`);
    }
    if (input.password.length < 8 || input.password.length > 200) {
      throw AppError.of('INVALID_ARGUMENT', '--password must be 8 to 200 characters');
    }
  }
  let parent: EntityRow | undefined;
  if (input.parent !== undefined) {
    parent = await findEntityByCode(ctx.store.db, org.id, input.parent);
    if (!parent)
      throw AppError.of('ENTITY_NOT_FOUND', `--parent: no entity ${input.parent} in ${org.name}`);
  }
  const username = input.password === undefined ? null : input.code;
  if (username !== null && (await findLoginByUsername(ctx.store.db, username))) {
    throw AppError.of('USERNAME_TAKEN', `username ${username} is taken in this deployment`);
  }
  const passwordHash =
    input.password === undefined ? null : await hashSecret(md5Hex(input.password));
  try {
    const row = await ctx.store.transaction(async (trx) => {
      if (await findEntityByCode(trx, org.id, input.code)) {
        throw AppError.of('ENTITY_EXISTS', `entity ${input.code} exists already in ${org.name}`);
      }
      return insertEntity(trx, {
        orgId: org.id,
        type,
        code: input.code,
        parentId: parent?.id ?? null,
        username,
        passwordHash,
        now: ctx.clock.now(),
      });
    });
    return {
      id: row.id,
      orgId: row.org_id,
      type: row.type,
      code: row.code,
      ...(row.parent_id === null ? {} : { parentId: row.parent_id }),
      canLogIn: username !== null,
    };
  } catch (error) {
    // Another process may have taken the code or username between the check and the insert.
    if (isUniqueViolation(error)) {
      throw String((error as Error).message).includes('username')
        ? AppError.of('USERNAME_TAKEN', `username ${input.code} is taken in this deployment`)
        : AppError.of('ENTITY_EXISTS', `entity ${input.code} exists already in ${org.name}`);
    }
    throw error;
  }
}
