import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { AppContext } from '../../src/core/context.js';
import { createOrg } from '../../src/orgs/org.service.js';
import { createEntity, type EntityView } from '../../src/entities/entity.service.js';
import { basicAuthorization } from '../../toolbox/http.js';

/** A unique suffix: the PostgreSQL database is shared by every test file of a run. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export type Login = EntityView & { password: string; headers: Record<string, string> };

/** The Basic authorization a till sends (the toolbox's, shared with the scripts). */
export const basicAuth = basicAuthorization;

/**
 * A fresh org with a small tree: zone > store > till, an associate under the store and an
 * admin. The till, associate and admin can log in; `headers` carry their Basic credentials.
 */
export async function newOrg(ctx: AppContext) {
  const org = await createOrg(ctx, unique('org'));
  const entity = async (type: string, parent?: EntityView, login = false): Promise<Login> => {
    const password = login ? `pw-${randomUUID()}` : '';
    const view = await createEntity(ctx, {
      org: org.name,
      type,
      code: unique(type.toLowerCase()),
      parent: parent?.code,
      password: login ? password : undefined,
    });
    return {
      ...view,
      password,
      headers: login ? { authorization: basicAuth(view.code, password) } : {},
    };
  };
  const zone = await entity('ZONE');
  const store = await entity('STORE', zone);
  const till = await entity('TILL', store, true);
  const associate = await entity('ASSOCIATE', store, true);
  const admin = await entity('ADMIN_USER', zone, true);
  return { org, zone, store, till, associate, admin, entity };
}

export type TestOrg = Awaited<ReturnType<typeof newOrg>>;

/** Sends a JSON request as `who`, returning status, headers and parsed body. */
export async function send(
  app: FastifyInstance,
  who: { headers: Record<string, string> } | undefined,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
) {
  const response = await app.inject({
    method,
    url,
    headers: {
      ...(who?.headers ?? {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  let json: any;
  try {
    json = response.json();
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, body: json, raw: response.body };
}

/** Creates a lead for a new email customer, asserting success; returns the lead. */
export async function newLead(
  app: FastifyInstance,
  who: Login,
  overrides: Record<string, unknown> = {},
) {
  const response = await send(app, who, 'POST', '/v2/leads', {
    leadFor: 'JKT-0192-M',
    idType: 'EMAIL',
    identifier: `${unique('shopper')}@example.com`,
    ...overrides,
  });
  if (response.status !== 200) {
    throw new Error(`lead creation failed: ${response.status} ${response.raw}`);
  }
  return response.body;
}
