import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { createOauthClient } from '../../../src/auth/oauth.service.js';

/**
 * Tenant isolation, proven route by route: for every route whose path names something, another
 * org's caller (an administrator, so admin routes pass their guard) using this org's value gets a
 * response byte-identical to one for a value that names nothing, and this org's rows are unchanged.
 * The test fails when a route with a path parameter is added without being covered here.
 */

const ORG_TABLES = [
  'leads',
  'follow_ups',
  'status_logs',
  'customers',
  'entities',
  'reasons',
  'sub_statuses',
  'oauth_clients',
  'extended_fields',
  'extended_field_translations',
  'audit_log',
  'idempotency_keys',
  'lead_events',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_attempts',
] as const;

/** `raw` with each whole-token occurrence of `value` masked (never inside a longer token). */
function masked(raw: string, value: string): string {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return raw.replace(new RegExp(`(?<![\\w.-])${escaped}(?![\\w.-])`, 'g'), '<value>');
}

describe('tenant isolation on every route with a path parameter', () => {
  const t = useTestApp();

  /** Every row of org A, table by table, as text: any change shows. */
  const snapshot = async (orgId: number) => {
    const parts: string[] = [];
    for (const table of ORG_TABLES) {
      const rows = await t.ctx.store.db
        .selectFrom(table)
        .selectAll()
        .where('org_id', '=', orgId)
        .execute();
      const sorted = rows.map((r) => JSON.stringify(r)).sort();
      parts.push(`${table}:${sorted.join('\n')}`);
    }
    const org = await t.ctx.store.db
      .selectFrom('orgs')
      .selectAll()
      .where('id', '=', orgId)
      .executeTakeFirst();
    return `${JSON.stringify(org)}\n${parts.join('\n')}`;
  };

  it('answers another org’s values exactly like values that do not exist', async () => {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    const lead = await newLead(t.app, a.till);
    const client = await createOauthClient(t.ctx, { org: a.org.name, entity: a.till.code });
    const field = await send(t.app, a.admin, 'POST', '/v2/admin/extendedFields', {
      entityType: 'LEAD',
      name: 'colour',
      dataType: 'STRING',
    });
    assert.equal(field.status, 200, field.raw);
    const hook = await send(t.app, a.admin, 'POST', '/v2/admin/webhooks', {
      url: 'https://crm.example.com/leadline',
    });
    assert.equal(hook.status, 200, hook.raw);
    const hookId = String(hook.body.id);
    const reasonId = (
      (await send(t.app, a.till, 'GET', '/v2/leads/reasons')).body.data as Array<{ id: number }>
    )[0]?.id;

    type Case = {
      path: string;
      method: 'GET' | 'PUT' | 'POST' | 'DELETE';
      url: (value: string) => string;
      mine: string;
      unknown: string;
      body?: unknown;
    };
    const leadId = String(lead.id);
    const none = String(Number.MAX_SAFE_INTEGER);
    const cases: Case[] = [
      {
        path: '/v2/leads/{id}',
        method: 'GET',
        url: (v) => `/v2/leads/${v}`,
        mine: leadId,
        unknown: none,
      },
      {
        path: '/v2/leads/{id}',
        method: 'PUT',
        url: (v) => `/v2/leads/${v}`,
        mine: leadId,
        unknown: none,
        body: { extendedFields: { x: 1 } },
      },
      {
        path: '/v2/leads/{id}/status',
        method: 'PUT',
        url: (v) => `/v2/leads/${v}/status`,
        mine: leadId,
        unknown: none,
        body: { status: 'WON', reasonId },
      },
      {
        path: '/v2/leads/{id}/followup',
        method: 'POST',
        url: (v) => `/v2/leads/${v}/followup`,
        mine: leadId,
        unknown: none,
        body: { followedUpOn: '2026-03-03T09:30:00Z', createdBy: b.till.id },
      },
      {
        path: '/v2/leads/{id}/followups',
        method: 'GET',
        url: (v) => `/v2/leads/${v}/followups`,
        mine: leadId,
        unknown: none,
      },
      {
        path: '/v2/leads/{id}/statusLog',
        method: 'GET',
        url: (v) => `/v2/leads/${v}/statusLog`,
        mine: leadId,
        unknown: none,
      },
      {
        path: '/v2/customers/{id}',
        method: 'GET',
        url: (v) => `/v2/customers/${v}`,
        mine: String(lead.userId),
        unknown: none,
      },
      {
        path: '/v2/admin/entities/{code}',
        method: 'PUT',
        url: (v) => `/v2/admin/entities/${v}`,
        mine: a.till.code,
        unknown: 'no-such-code',
        body: { disabled: true },
      },
      {
        path: '/v2/admin/oauthClients/{key}',
        method: 'PUT',
        url: (v) => `/v2/admin/oauthClients/${v}`,
        mine: client.key,
        unknown: 'll_nosuchkey0000',
        body: { revoked: true },
      },
      {
        path: '/v2/admin/extendedFields/{entityType}/{name}/translations/{language}',
        method: 'PUT',
        url: (v) => `/v2/admin/extendedFields/LEAD/${v}/translations/fr`,
        mine: 'colour',
        unknown: 'no_such_field',
        body: { label: 'Couleur' },
      },
      {
        path: '/v2/admin/webhooks/{id}',
        method: 'PUT',
        url: (v) => `/v2/admin/webhooks/${v}`,
        mine: hookId,
        unknown: none,
        body: { enabled: false },
      },
      {
        path: '/v2/admin/webhooks/{id}',
        method: 'DELETE',
        url: (v) => `/v2/admin/webhooks/${v}`,
        mine: hookId,
        unknown: none,
      },
      {
        path: '/v2/admin/webhooks/{id}/rotateSecret',
        method: 'POST',
        url: (v) => `/v2/admin/webhooks/${v}/rotateSecret`,
        mine: hookId,
        unknown: none,
      },
      {
        path: '/v2/admin/webhooks/{id}/replay',
        method: 'POST',
        url: (v) => `/v2/admin/webhooks/${v}/replay`,
        mine: hookId,
        unknown: none,
        body: { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
      },
      {
        path: '/v2/admin/reasons/{id}',
        method: 'PUT',
        url: (v) => `/v2/admin/reasons/${v}`,
        mine: String(reasonId),
        unknown: none,
        body: { notAvailable: true },
      },
      {
        path: '/v2/admin/webhooks/{id}/health',
        method: 'GET',
        url: (v) => `/v2/admin/webhooks/${v}/health`,
        mine: hookId,
        unknown: none,
      },
    ];

    // Every documented path with a parameter is covered.
    const doc = (await send(t.app, undefined, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.includes('{')) continue;
      for (const method of Object.keys(item).filter((m) =>
        ['get', 'put', 'post', 'delete'].includes(m),
      )) {
        assert.ok(
          cases.some((c) => c.path === path && c.method === method.toUpperCase()),
          `${method.toUpperCase()} ${path} is not covered by the isolation test`,
        );
      }
    }

    const before = await snapshot(a.org.id);
    for (const c of cases) {
      const foreign = await send(t.app, b.admin, c.method, c.url(c.mine), c.body);
      const unknown = await send(t.app, b.admin, c.method, c.url(c.unknown), c.body);
      assert.equal(foreign.status, 404, `${c.method} ${c.path}: ${foreign.raw}`);
      assert.equal(foreign.status, unknown.status, `${c.method} ${c.path}`);
      assert.equal(foreign.headers['content-type'], unknown.headers['content-type']);
      assert.equal(
        masked(foreign.raw, c.mine),
        masked(unknown.raw, c.unknown),
        `${c.method} ${c.path}: the foreign value answers unlike an unknown one`,
      );
    }
    assert.equal(await snapshot(a.org.id), before, 'org A is unchanged');
    // And org A still sees its lead as it was.
    const mine = await send(t.app, a.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(mine.body.status, 'OPEN');
  });
});
