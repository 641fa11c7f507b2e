import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_STORE } from '../helpers/app.js';
import { basicAuth, unique } from '../helpers/factories.js';
import { storeEnvFor } from '../helpers/cli.js';
import { startBuiltServer, type BuiltServer } from '../helpers/server.js';
import { loadConfig } from '../../src/core/config.js';
import { createContext, type AppContext } from '../../src/core/context.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createOrg } from '../../src/orgs/org.service.js';
import { createEntity, type EntityView } from '../../src/entities/entity.service.js';

/**
 * Many clients change the same few leads through four server processes on one store: every
 * acknowledged change leaves exactly one row, each lead's status is its newest status-log row,
 * its version counts every change, and lastUpdatedOn never goes backwards.
 */
const SERVERS = 4;
const CLIENTS = 16;
const OPS_PER_CLIENT = 25;
const LEADS = 3;

describe(`no lost update with ${SERVERS} server processes (${TEST_STORE})`, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-lost-update-'));
  const storeEnv = storeEnvFor(dataDir);
  const servers: BuiltServer[] = [];
  const bases: string[] = [];
  let ctx: AppContext;

  before(async () => {
    ctx = createContext(loadConfig({ ...storeEnv, LOG_LEVEL: 'silent', PG_POOL_SIZE: '2' }));
    await migrateToLatest(ctx.store);
    for (let i = 0; i < SERVERS; i += 1) {
      const server = await startBuiltServer({
        ...storeEnv,
        AUTO_CLOSE_INTERVAL_SECONDS: '0',
        PG_POOL_SIZE: '4',
      });
      servers.push(server);
      bases.push(server.base);
    }
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await ctx?.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps exactly one row per acknowledged change and the lead in step with its log', async () => {
    const org = await createOrg(ctx, unique('Busy Org'));
    const tills: Array<EntityView & { auth: string }> = [];
    for (let i = 0; i < 4; i += 1) {
      const password = `till-password-${i}`;
      const till = await createEntity(ctx, {
        org: org.name,
        type: 'TILL',
        code: unique('till'),
        password,
      });
      tills.push({ ...till, auth: basicAuth(till.code, password) });
    }
    const call = async (
      base: string,
      auth: string,
      method: string,
      url: string,
      body?: unknown,
    ) => {
      const response = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const first = tills[0] as (typeof tills)[number];
    const leads: number[] = [];
    for (let i = 0; i < LEADS; i += 1) {
      const created = await call(bases[0] as string, first.auth, 'POST', '/v2/leads', {
        leadFor: `SKU-${i}`,
        idType: 'EMAIL',
        identifier: `${unique('busy')}@example.com`,
      });
      assert.equal(created.status, 200);
      leads.push(created.body.id as number);
    }
    const reasons = await call(bases[0] as string, first.auth, 'GET', '/v2/leads/reasons');
    const reasonId = (reasons.body.data as Array<{ id: number; reason: string }>)[0]?.id;

    const acked = new Map(leads.map((id) => [id, { status: 0, followUps: 0, maxUpdated: '' }]));
    const statuses = ['OPEN', 'WON', 'LOST', 'ON_HOLD'];
    let failures = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const till = tills[client % tills.length] as EntityView & { auth: string };
        for (let op = 0; op < OPS_PER_CLIENT; op += 1) {
          const base = bases[(client + op) % bases.length] as string;
          const lead = leads[(client * 7 + op) % leads.length] as number;
          const tally = acked.get(lead) as {
            status: number;
            followUps: number;
            maxUpdated: string;
          };
          const response =
            op % 3 === 2
              ? await call(base, till.auth, 'POST', `/v2/leads/${lead}/followup`, {
                  followedUpOn: '2026-03-03T09:30:00Z',
                  createdBy: till.id,
                  notes: `client ${client} op ${op}`,
                })
              : await call(base, till.auth, 'PUT', `/v2/leads/${lead}/status`, {
                  status: statuses[(client + op) % statuses.length],
                  reasonId,
                });
          if (response.status !== 200) {
            failures += 1;
            continue;
          }
          if (op % 3 === 2) tally.followUps += 1;
          else tally.status += 1;
          const updated = response.body.lastUpdatedOn as string;
          if (updated > tally.maxUpdated) tally.maxUpdated = updated;
        }
      }),
    );
    assert.equal(failures, 0, 'every request was acknowledged');

    for (const id of leads) {
      const tally = acked.get(id) as { status: number; followUps: number; maxUpdated: string };
      const lead = await call(bases[1] as string, first.auth, 'GET', `/v2/leads/${id}`);
      const log = lead.body.statusLogDetails as Array<{ id: number; status: string }>;
      assert.equal(log.length, 1 + tally.status, `lead ${id}: one log row per acknowledged change`);
      assert.equal((lead.body.followUpDetails as unknown[]).length, tally.followUps);
      assert.equal(lead.body.status, log.at(-1)?.status, `lead ${id}: status is its newest row`);
      const row = await ctx.store.db
        .selectFrom('leads')
        .select(['version'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.version, 1 + tally.status + tally.followUps);
      assert.ok(
        (lead.body.lastUpdatedOn as string) >= tally.maxUpdated,
        'lastUpdatedOn never went backwards',
      );
    }
  });
});
