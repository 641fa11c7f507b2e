import { requireOrg } from '../../orgs/index.js';
import {
  createWebhookFromCli,
  DeliveryQuery,
  endpointHealth,
  listDeliveries,
  listWebhooks,
  replayEvents,
  WebhookReplayBody,
  removeWebhook,
  rotateWebhookSecret,
  setWebhookEnabled,
  webhookIdOption,
} from '../../webhooks/index.js';
import { cliActor } from '../../core/actor.js';
import type { AppContext } from '../../core/context.js';
import { checkInput } from '../../http/validation.js';
import { optStr, str, type Command, type OptionValues } from '../command.js';

/** `--name 12` as the number the API's schema checks; anything else as given, for it to refuse. */
function numberOrText(text: string | undefined): number | string | undefined {
  return text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : text;
}

/** The object of the options that were given (absent ones left out). */
function given(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

const byId = { org: { type: 'string' }, id: { type: 'string' } } as const;

/** Runs `action` on the endpoint `--id` of the org `--org`, as the CLI (actor -1). */
async function onEndpoint<T>(
  ctx: AppContext,
  v: OptionValues,
  action: (actor: ReturnType<typeof cliActor>, id: number) => Promise<T>,
): Promise<T> {
  const id = webhookIdOption(str(v.id));
  const org = await requireOrg(ctx, str(v.org));
  return action(cliActor(org.id), id);
}

/** Webhook endpoints: the same actions as `/v2/admin/webhooks`, recorded with actor -1. */
export const webhookCommands: Record<string, Command> = {
  'webhook create': {
    usage: 'leadline webhook create --org NAME --url URL [--events TYPE,…] [--description TEXT]',
    options: {
      org: { type: 'string' },
      url: { type: 'string' },
      events: { type: 'string' },
      description: { type: 'string' },
    },
    required: ['org', 'url'],
    run: (ctx, v) =>
      createWebhookFromCli(ctx, {
        org: str(v.org),
        url: str(v.url),
        events: optStr(v.events),
        description: optStr(v.description),
      }),
  },
  'webhook list': {
    usage: 'leadline webhook list --org NAME',
    options: { org: { type: 'string' } },
    required: ['org'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      return { data: await listWebhooks(ctx, org.id) };
    },
  },
  'webhook disable': {
    usage: 'leadline webhook disable --org NAME --id ID',
    options: byId,
    required: ['org', 'id'],
    run: (ctx, v) => onEndpoint(ctx, v, (actor, id) => setWebhookEnabled(ctx, actor, id, false)),
  },
  'webhook enable': {
    usage: 'leadline webhook enable --org NAME --id ID',
    options: byId,
    required: ['org', 'id'],
    run: (ctx, v) => onEndpoint(ctx, v, (actor, id) => setWebhookEnabled(ctx, actor, id, true)),
  },
  'webhook rotate-secret': {
    usage: 'leadline webhook rotate-secret --org NAME --id ID',
    options: byId,
    required: ['org', 'id'],
    run: (ctx, v) => onEndpoint(ctx, v, (actor, id) => rotateWebhookSecret(ctx, actor, id)),
  },
  'webhook delete': {
    usage: 'leadline webhook delete --org NAME --id ID',
    options: byId,
    required: ['org', 'id'],
    run: (ctx, v) => onEndpoint(ctx, v, (actor, id) => removeWebhook(ctx, actor, id)),
  },
  'webhook deliveries': {
    usage:
      'leadline webhook deliveries --org NAME [--endpoint-id ID] [--event-id EVENT_ID] [--lead-id ID] [--status pending|delivered|failed] [--limit N] [--offset N]',
    options: {
      org: { type: 'string' },
      'endpoint-id': { type: 'string' },
      'event-id': { type: 'string' },
      'lead-id': { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
    required: ['org'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      const query = given({
        endpointId: numberOrText(optStr(v['endpoint-id'])),
        eventId: optStr(v['event-id']),
        leadId: numberOrText(optStr(v['lead-id'])),
        status: optStr(v.status),
        limit: numberOrText(optStr(v.limit)),
        offset: numberOrText(optStr(v.offset)),
      });
      // The API's own schema, with its fields named as the options that gave them.
      checkInput(DeliveryQuery, query);
      return { data: await listDeliveries(ctx, org.id, query) };
    },
  },
  'webhook replay': {
    usage:
      'leadline webhook replay --org NAME --id ID (--event-id EVENT_ID | --from ISO-DATE-TIME --to ISO-DATE-TIME)',
    options: {
      org: { type: 'string' },
      id: { type: 'string' },
      'event-id': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
    required: ['org', 'id'],
    run: (ctx, v) =>
      onEndpoint(ctx, v, (actor, id) => {
        const body = given({
          eventId: optStr(v['event-id']),
          from: optStr(v.from),
          to: optStr(v.to),
        });
        checkInput(WebhookReplayBody, body);
        return replayEvents(ctx, actor, id, body);
      }),
  },
  'webhook health': {
    usage: 'leadline webhook health --org NAME --id ID',
    options: byId,
    required: ['org', 'id'],
    run: (ctx, v) => onEndpoint(ctx, v, (actor, id) => endpointHealth(ctx, actor.orgId, id)),
  },
};
