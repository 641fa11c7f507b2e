import { randomBytes } from 'node:crypto';
import type { AppContext } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { cliActor, type Actor } from '../core/actor.js';
import { formatDateTime } from '../core/date-time.js';
import { recordAudit } from '../audit/index.js';
import { positiveIdOption } from '../core/cli-options.js';
import { requireOrg } from '../orgs/index.js';
import { currentPosition, LEAD_EVENT_TYPES, type LeadEventType } from '../events/index.js';
import { checkInput } from '../http/validation.js';
import {
  deleteWebhook,
  findOrgWebhook,
  findOrgWebhooks,
  insertWebhook,
  updateWebhook,
  type WebhookRow,
} from './webhook.repository.js';
import { WebhookCreateBody, type WebhookEndpoint } from './webhook.schemas.js';
import { urlProblem } from './webhook-target.js';

/**
 * An org's webhook endpoints (docs/webhooks.md): where its lead events are delivered, signed
 * with the endpoint's secret. Every change is recorded in the org's audit log.
 */

/** How long the secret before a rotation keeps signing: receivers switch over in that time. */
export const PREVIOUS_SECRET_VALID_MS = 24 * 3_600_000;

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function viewOf(row: WebhookRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events:
      row.event_types === null
        ? [...LEAD_EVENT_TYPES]
        : (JSON.parse(row.event_types) as LeadEventType[]),
    description: row.description,
    enabled: row.enabled === 1,
    createdOn: formatDateTime(row.created_on),
    updatedOn: formatDateTime(row.updated_on),
  };
}

/** The 404 for an endpoint id that names nothing of the caller's org. */
export function webhookNotFound(id: number): AppError {
  return AppError.of('WEBHOOK_NOT_FOUND', `no webhook endpoint ${id} in this org`);
}

/**
 * Adds an endpoint to the actor's org; answers it with its secret, which is shown this once.
 *
 * @example await createWebhook(ctx, actor, { url: 'https://pos.example.com/hooks' });
 */
export async function createWebhook(
  ctx: AppContext,
  actor: Actor,
  body: WebhookCreateBody,
): Promise<WebhookEndpoint & { secret: string }> {
  const problem = urlProblem(body.url, ctx.config.webhookAllowedHosts);
  if (problem) throw AppError.of('FIELD_INVALID_VALUE', `url ${problem}`);
  const secret = newSecret();
  const now = ctx.clock.now();
  // The endpoint receives the events committed from now on.
  const position = await currentPosition(ctx.store, actor.orgId);
  const row = await ctx.store.transaction(async (trx) => {
    const created = await insertWebhook(trx, {
      org_id: actor.orgId,
      url: body.url,
      event_types: body.events ? JSON.stringify(body.events) : null,
      description: body.description ?? null,
      secret,
      previous_secret: null,
      previous_secret_until: null,
      enabled: 1,
      last_position: position,
      failing_since: null,
      created_on: now,
      updated_on: now,
    });
    await recordAudit(
      trx,
      actor,
      'webhook.create',
      String(created.id),
      { url: created.url, events: body.events ?? 'all' },
      now,
    );
    return created;
  });
  return { ...viewOf(row), secret };
}

export async function listWebhooks(ctx: AppContext, orgId: number): Promise<WebhookEndpoint[]> {
  return (await findOrgWebhooks(ctx.store.db, orgId)).map(viewOf);
}

/**
 * Stops (false) or restarts (true) deliveries to one of the org's endpoints. Deliveries pending
 * when it stopped go on when it restarts; the events made while it was disabled are not sent
 * (a replay of that time range sends them), since they may be many and old by then.
 */
export async function setWebhookEnabled(
  ctx: AppContext,
  actor: Actor,
  id: number,
  enabled: boolean,
): Promise<WebhookEndpoint> {
  const position = enabled ? await currentPosition(ctx.store, actor.orgId) : 0;
  return ctx.store.transaction(async (trx) => {
    const now = ctx.clock.now();
    const before = await findOrgWebhook(trx, actor.orgId, id);
    if (!before) throw webhookNotFound(id);
    const restarted = enabled && before.enabled === 0;
    const row = await updateWebhook(trx, actor.orgId, id, {
      enabled: enabled ? 1 : 0,
      updated_on: now,
      ...(restarted ? { last_position: position, failing_since: null } : {}),
    });
    if (!row) throw webhookNotFound(id);
    await recordAudit(
      trx,
      actor,
      enabled ? 'webhook.enable' : 'webhook.disable',
      String(id),
      { enabled },
      now,
    );
    return viewOf(row);
  });
}

/**
 * Gives the endpoint a new secret, shown this once. Deliveries carry signatures by the new and
 * the old secret for {@link PREVIOUS_SECRET_VALID_MS}, so a receiver can switch without a gap.
 */
export async function rotateWebhookSecret(
  ctx: AppContext,
  actor: Actor,
  id: number,
): Promise<{ id: number; secret: string; previousSecretValidUntil: string }> {
  const secret = newSecret();
  return ctx.store.transaction(async (trx) => {
    const now = ctx.clock.now();
    const before = await findOrgWebhook(trx, actor.orgId, id);
    if (!before) throw webhookNotFound(id);
    const until = now + PREVIOUS_SECRET_VALID_MS;
    await updateWebhook(trx, actor.orgId, id, {
      secret,
      previous_secret: before.secret,
      previous_secret_until: until,
      updated_on: now,
    });
    await recordAudit(trx, actor, 'webhook.rotate_secret', String(id), {}, now);
    return { id, secret, previousSecretValidUntil: formatDateTime(until) };
  });
}

export async function removeWebhook(
  ctx: AppContext,
  actor: Actor,
  id: number,
): Promise<{ id: number; deleted: boolean }> {
  return ctx.store.transaction(async (trx) => {
    const before = await findOrgWebhook(trx, actor.orgId, id);
    if (!before || !(await deleteWebhook(trx, actor.orgId, id))) throw webhookNotFound(id);
    await recordAudit(
      trx,
      actor,
      'webhook.delete',
      String(id),
      { url: before.url },
      ctx.clock.now(),
    );
    return { id, deleted: true };
  });
}

/** The CLI's `webhook create`: the option text checked by the API's schema, then create. */
export async function createWebhookFromCli(
  ctx: AppContext,
  input: {
    org: string;
    url: string;
    events?: string | undefined;
    description?: string | undefined;
  },
): Promise<Pick<WebhookEndpoint, 'id' | 'url' | 'events' | 'enabled'> & { secret: string }> {
  const org = await requireOrg(ctx, input.org);
  const body = {
    url: input.url,
    ...(input.events === undefined
      ? {}
      : { events: input.events.split(',').map((type) => type.trim()) }),
    ...(input.description === undefined ? {} : { description: input.description }),
  };
  checkInput(WebhookCreateBody, body);
  const created = await createWebhook(ctx, cliActor(org.id), body);
  return {
    id: created.id,
    url: created.url,
    events: created.events,
    secret: created.secret,
    enabled: created.enabled,
  };
}

/** Parses the CLI's `--id`. */
export function webhookIdOption(text: string): number {
  return positiveIdOption(text, 'id', 'a webhook endpoint id');
}
