import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TEST_STORE } from '../helpers/app.js';
import { runCli, storeEnvFor, type CliRun } from '../helpers/cli.js';
import { basicAuth, send, unique } from '../helpers/factories.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/core/config.js';
import { createContext, type AppContext } from '../../src/core/context.js';

type Run = CliRun;

const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-cli-test-'));
const storeEnv = storeEnvFor(dataDir);

/** Runs the real CLI in a child process against the test store. */
function cli(...args: string[]): Promise<Run> {
  return runCli(storeEnv, args);
}

/** A successful command: exit 0, one JSON document on stdout, nothing on stderr. */
function ok(run: Run): any {
  assert.equal(run.code, 0, `exit ${run.code}; stderr: ${run.stderr}`);
  assert.equal(run.stderr, '');
  return JSON.parse(run.stdout);
}

/** A failed command: non-zero exit, nothing on stdout, `{"error": {code, message}}` on stderr. */
function failed(run: Run, code: number, exit?: number): { code: number; message: string } {
  assert.notEqual(run.code, 0, `expected a failure, got stdout ${run.stdout}`);
  if (exit !== undefined) assert.equal(run.code, exit);
  assert.equal(run.stdout, '');
  const parsed = JSON.parse(run.stderr);
  assert.equal(typeof parsed.error?.message, 'string');
  assert.equal(parsed.error.code, code, run.stderr);
  return parsed.error;
}

describe('leadline CLI', () => {
  let ctx: AppContext;
  let app: FastifyInstance;

  before(async () => {
    if (TEST_STORE === 'postgres') assert.ok(storeEnv.DATABASE_URL, 'LEADLINE_TEST_DATABASE_URL');
    // Migrate through the CLI, then serve the same store in-process to try what it made.
    const migrated = ok(await cli('migrate'));
    assert.ok(Array.isArray(migrated.applied));
    if (TEST_STORE === 'sqlite') assert.ok(migrated.applied.length > 0, 'a fresh store migrates');
    ctx = createContext(loadConfig({ LOG_LEVEL: 'silent', PG_POOL_SIZE: '2', ...storeEnv }));
    app = await buildApp(ctx, { logger: false });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await ctx?.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrate is idempotent: a second run applies nothing', async () => {
    assert.deepEqual(ok(await cli('migrate')), { applied: [] });
  });

  it('creates orgs and entities that can log in, and refuses duplicates and bad arguments', async () => {
    const name = unique('CLI Org');
    const org = ok(await cli('org', 'create', '--name', name));
    assert.deepEqual(Object.keys(org).sort(), ['id', 'name']);
    assert.equal(org.name, name);
    assert.ok(Number.isSafeInteger(org.id) && org.id > 0);

    failed(await cli('org', 'create', '--name', name), 1301);

    const storeCode = unique('store');
    const store = ok(
      await cli('entity', 'create', '--org', name, '--type', 'STORE', '--code', storeCode),
    );
    assert.equal(store.code, storeCode);
    assert.equal(store.type, 'STORE');
    assert.ok(Number.isSafeInteger(store.id) && store.id > 0);

    const tillCode = unique('till');
    const password = `pw-${unique('secret')}`;
    const till = ok(
      await cli(
        'entity',
        'create',
        '--org',
        name,
        '--type',
        'TILL',
        '--code',
        tillCode,
        '--parent',
        storeCode,
        '--password',
        password,
      ),
    );
    assert.equal(till.code, tillCode);
    assert.equal(till.type, 'TILL');
    assert.equal(till.parentId, store.id);
    assert.ok(!JSON.stringify(till).includes(password), 'the password is never printed');

    // The till logs in with username:md5hex(password) and sees its new org.
    const login = { headers: { authorization: basicAuth(tillCode, password) } };
    const reasons = await send(app, login, 'GET', '/v2/leads/reasons');
    assert.equal(reasons.status, 200, reasons.raw);
    assert.deepEqual(reasons.body.data.map((r: any) => r.reason).sort(), ['APICALL', 'AUTO_CLOSE']);
    const lead = await send(app, login, 'POST', '/v2/leads', {
      leadFor: 'SKU-CLI',
      idType: 'EMAIL',
      identifier: `${unique('cli')}@example.com`,
    });
    assert.equal(lead.status, 200, lead.raw);
    assert.equal(lead.body.createdBy, till.id);
    const wrong = await send(
      app,
      { headers: { authorization: basicAuth(tillCode, `${password}x`) } },
      'GET',
      '/v2/leads/reasons',
    );
    assert.equal(wrong.status, 401);

    // The stored credential is Argon2id only.
    const row = await ctx.store.db
      .selectFrom('entities')
      .select('password_hash')
      .where('id', '=', till.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.password_hash?.startsWith('$argon2id$'));

    // The failures below are independent: run them side by side to keep the suite quick.
    const [sameCode, storeWithPassword, unknownParent, unknownOrg, unknownType] = await Promise.all(
      [
        // Same code again in the same org.
        cli('entity', 'create', '--org', name, '--type', 'STORE', '--code', storeCode),
        // A store cannot log in.
        cli(
          'entity',
          'create',
          '--org',
          name,
          '--type',
          'STORE',
          '--code',
          unique('store'),
          '--password',
          password,
        ),
        cli(
          'entity',
          'create',
          '--org',
          name,
          '--type',
          'TILL',
          '--code',
          unique('till'),
          '--parent',
          unique('nowhere'),
        ),
        cli('entity', 'create', '--org', unique('no-org'), '--type', 'TILL', '--code', 'x1'),
        cli('entity', 'create', '--org', name, '--type', 'WIZARD', '--code', unique('w')),
      ],
    );
    failed(sameCode, 1302);
    assert.match(failed(storeWithPassword, 1304, 2).message, /^--password: a STORE cannot log in/);
    assert.match(failed(unknownParent, 1304, 2).message, /^--parent: no entity/);
    failed(unknownOrg, 1202);
    failed(unknownType, 1304);

    // None of the failures created anything: the org has exactly its store and till.
    const entities = await ctx.store.db
      .selectFrom('entities')
      .select('code')
      .where('org_id', '=', org.id)
      .execute();
    assert.deepEqual(entities.map((e) => e.code).sort(), [storeCode, tillCode].sort());
  });

  it('keeps log-in usernames unique across orgs, but plain codes only per org', async () => {
    const first = unique('Org A');
    const second = unique('Org B');
    const [orgA, orgB] = (
      await Promise.all([
        cli('org', 'create', '--name', first),
        cli('org', 'create', '--name', second),
      ])
    ).map(ok);
    assert.notEqual(orgA.id, orgB.id);
    const code = unique('shared');
    ok(
      await cli(
        'entity',
        'create',
        '--org',
        first,
        '--type',
        'ASSOCIATE',
        '--code',
        code,
        '--password',
        'password-one',
      ),
    );
    const taken = failed(
      await cli(
        'entity',
        'create',
        '--org',
        second,
        '--type',
        'TILL',
        '--code',
        code,
        '--password',
        'password-two',
      ),
      1303,
    );
    assert.match(taken.message, new RegExp(code));
    // A code that does not log in needs only be unique in its org.
    const store = ok(
      await cli('entity', 'create', '--org', second, '--type', 'STORE', '--code', code),
    );
    assert.equal(store.code, code);
    assert.equal(store.orgId, orgB.id);
  });

  it('creates an OAuth client whose key and secret get a working token', async () => {
    const name = unique('OAuth Org');
    ok(await cli('org', 'create', '--name', name));
    const adminCode = unique('admin');
    ok(
      await cli(
        'entity',
        'create',
        '--org',
        name,
        '--type',
        'ADMIN_USER',
        '--code',
        adminCode,
        '--password',
        'admin-password',
      ),
    );
    const client = ok(await cli('oauth-client', 'create', '--org', name, '--entity', adminCode));
    assert.deepEqual(Object.keys(client).sort(), ['key', 'secret']);

    const generated = await send(app, undefined, 'POST', '/v3/oauth/token/generate', client);
    assert.equal(generated.status, 200, generated.raw);
    const token = generated.body.data.accessToken as string;
    const reasons = await send(
      app,
      { headers: { 'x-cap-api-oauth-token': token } },
      'GET',
      '/v2/leads/reasons',
    );
    assert.equal(reasons.status, 200);
  });

  it('seed-demo prints credentials that log in and list the demo leads', async () => {
    const name = unique('Demo');
    const demo = ok(await cli('seed-demo', '--name', name, '--leads', '20'));
    assert.equal(demo.org.name, name);
    assert.equal(demo.leads, 20);
    assert.ok(Array.isArray(demo.users) && demo.users.length > 0);

    for (const user of demo.users) {
      assert.equal(user.basicAuth, basicAuth(user.username, user.password));
    }
    const till = demo.users.find((u: any) => u.type === 'TILL');
    assert.ok(till, 'the demo has a till to log in as');
    const login = { headers: { authorization: till.basicAuth } };
    const listed = await send(app, login, 'GET', '/v2/leads?limit=100');
    assert.equal(listed.status, 200, listed.raw);
    assert.equal(listed.body.data.length, 20);
    const reasons = await send(app, login, 'GET', '/v2/leads/reasons');
    assert.ok(reasons.body.data.length > 2, 'the demo adds reasons');
    const subStatuses = await send(app, login, 'GET', '/v2/leads/substatuses');
    assert.ok(subStatuses.body.data.length > 0, 'the demo adds sub-statuses');

    const token = await send(app, undefined, 'POST', '/v3/oauth/token/generate', demo.oauth);
    assert.equal(token.status, 200, token.raw);
  });

  it('a usage error (missing option, unknown command) exits 2 with a JSON error', async () => {
    const [missingCode, unknownCommand] = await Promise.all([
      cli('entity', 'create', '--org', 'x', '--type', 'TILL'),
      cli('frobnicate'),
    ]);
    assert.match(failed(missingCode, 1304, 2).message, /--code/);
    failed(unknownCommand, 1304, 2);
  });
  it('manages webhook endpoints: create, list, disable, enable, rotate, log, replay, health, delete', async () => {
    const name = unique('Hook Org');
    ok(await cli('org', 'create', '--name', name));
    const hook = (...args: string[]) => cli('webhook', ...args, '--org', name);
    const created = ok(
      await hook(
        'create',
        '--url',
        'https://crm.example.com/leadline',
        '--events',
        'lead.created,lead.status_changed',
        '--description',
        'CRM',
      ),
    );
    assert.deepEqual(Object.keys(created).sort(), ['enabled', 'events', 'id', 'secret', 'url']);
    assert.deepEqual(created.events, ['lead.created', 'lead.status_changed']);
    assert.match(created.secret, /^whsec_/);
    const id = String(created.id);
    const [internal, badType, listed] = await Promise.all([
      hook('create', '--url', 'https://10.0.0.7/hook'),
      hook('create', '--url', 'https://crm.example.com/x', '--events', 'lead.nope'),
      hook('list'),
    ]);
    assert.match(failed(internal, 1304, 2).message, /^--url .*internal/);
    assert.match(failed(badType, 1304, 2).message, /^--events/);
    assert.deepEqual(
      ok(listed).data.map((e: { id: number; secret?: string }) => [e.id, e.secret]),
      [[created.id, undefined]],
    );
    assert.equal(ok(await hook('disable', '--id', id)).enabled, false);
    assert.equal(ok(await hook('enable', '--id', id)).enabled, true);
    const rotated = ok(await hook('rotate-secret', '--id', id));
    assert.notEqual(rotated.secret, created.secret);
    assert.deepEqual(ok(await hook('deliveries', '--endpoint-id', id)), { data: [] });
    const now = new Date().toISOString();
    assert.deepEqual(ok(await hook('replay', '--id', id, '--from', now, '--to', now)), {
      endpointId: created.id,
      replayed: 0,
    });
    const [unknownEvent, neither, badLead, health] = await Promise.all([
      hook('replay', '--id', id, '--event-id', 'evt_00000000000000000000000000000000'),
      hook('replay', '--id', id),
      hook('deliveries', '--lead-id', 'x'),
      hook('health', '--id', id),
    ]);
    assert.match(failed(unknownEvent, 1304, 2).message, /^--event-id/);
    assert.match(failed(neither, 1304, 2).message, /^--event-id/);
    assert.match(failed(badLead, 1304, 2).message, /^--lead-id/);
    assert.equal(ok(health).pending, 0);
    assert.deepEqual(ok(await hook('delete', '--id', id)), { id: created.id, deleted: true });
    failed(await hook('delete', '--id', id), 1207, 1);
    failed(await hook('health', '--id', 'abc'), 1304, 2);
    const audit = ok(await cli('audit', '--org', name)).data.map(
      (e: { action: string }) => e.action,
    );
    assert.deepEqual(audit.slice(0, 6), [
      'webhook.delete',
      'webhook.replay',
      'webhook.rotate_secret',
      'webhook.enable',
      'webhook.disable',
      'webhook.create',
    ]);
  });

  it('administers an org: settings, disable and enable, password, revoke, audit', async () => {
    const name = unique('Admin Org');
    ok(await cli('org', 'create', '--name', name));
    const code = unique('till');
    ok(
      await cli(
        'entity',
        'create',
        '--org',
        name,
        '--type',
        'TILL',
        '--code',
        code,
        '--password',
        'first-password',
      ),
    );
    const asTill = (password: string) => ({
      headers: { authorization: basicAuth(code, password) },
    });
    assert.equal((await send(app, asTill('first-password'), 'GET', '/v2/leads')).status, 200);

    const [settings, badDays, disabled] = await Promise.all([
      cli('org', 'set', '--org', name, '--auto-close-days', '14', '--country-code', 'in'),
      cli('org', 'set', '--org', name, '--auto-close-days', 'soon'),
      cli('entity', 'disable', '--org', name, '--code', code),
    ]);
    assert.deepEqual(ok(settings), {
      org: name,
      autoCloseDays: 14,
      countryCode: 'IN',
      rateLimitPerMinute: null,
      requireIfMatch: false,
      eventRetentionDays: null,
      timeZone: null,
    });
    assert.match(failed(badDays, 1304, 2).message, /--auto-close-days/);
    assert.equal(ok(disabled).disabled, true);
    assert.equal((await send(app, asTill('first-password'), 'GET', '/v2/leads')).status, 401);

    const [enabled, password, badCountry, badRetention] = await Promise.all([
      cli('entity', 'enable', '--org', name, '--code', code),
      cli('entity', 'password', '--org', name, '--code', code, '--password', 'second-password'),
      cli('org', 'set', '--org', name, '--country-code', 'XX'),
      cli('org', 'set', '--org', name, '--event-retention-days', '400'),
    ]);
    assert.equal(ok(enabled).disabled, false);
    ok(password);
    assert.match(failed(badCountry, 1304, 2).message, /^--country-code/);
    assert.match(failed(badRetention, 1304, 2).message, /^--event-retention-days/);
    assert.equal(
      ok(await cli('org', 'set', '--org', name, '--event-retention-days', '30')).eventRetentionDays,
      30,
    );
    const [zoned, badZone] = await Promise.all([
      cli('org', 'set', '--org', name, '--time-zone', 'Europe/London'),
      cli('org', 'set', '--org', name, '--time-zone', 'Europe/Nowhere'),
    ]);
    assert.equal(ok(zoned).timeZone, 'Europe/London');
    assert.match(failed(badZone, 1304, 2).message, /^--time-zone/);
    assert.equal(
      ok(await cli('org', 'set', '--org', name, '--time-zone', 'default')).timeZone,
      null,
    );
    const added = await send(app, asTill('second-password'), 'POST', '/v2/leads/reasons', [
      { reason: 'Size not in stock' },
    ]);
    assert.equal(added.status, 200, added.raw);
    const reasons = ok(await cli('reason', 'list', '--org', name)).data as Array<{
      id: number;
      reason: string;
      notAvailable: boolean;
    }>;
    const sizes = reasons.find((r) => r.reason === 'Size not in stock')!;
    const apiCall = reasons.find((r) => r.reason === 'APICALL')!;
    assert.equal(sizes.notAvailable, false);
    const [flagged, badFlag, badId, unknownId, system] = await Promise.all([
      cli('reason', 'set', '--org', name, '--id', String(sizes.id), '--not-available', 'on'),
      cli('reason', 'set', '--org', name, '--id', String(sizes.id), '--not-available', 'yes'),
      cli('reason', 'set', '--org', name, '--id', 'x1', '--not-available', 'on'),
      cli('reason', 'set', '--org', name, '--id', '999999999', '--not-available', 'on'),
      cli('reason', 'set', '--org', name, '--id', String(apiCall.id), '--not-available', 'on'),
    ]);
    assert.deepEqual(ok(flagged), {
      id: sizes.id,
      reason: 'Size not in stock',
      notAvailable: true,
    });
    assert.match(failed(badFlag, 1304, 2).message, /^--not-available/);
    assert.match(failed(badId, 1304, 2).message, /^--id/);
    failed(unknownId, 1208, 1);
    assert.match(failed(system, 1304, 2).message, /^--id: .*system reason/);
    assert.deepEqual(
      (ok(await cli('reason', 'list', '--org', name)).data as typeof reasons)
        .filter((r) => r.notAvailable)
        .map((r) => r.id),
      [sizes.id],
    );
    assert.equal((await send(app, asTill('first-password'), 'GET', '/v2/leads')).status, 401);
    assert.equal((await send(app, asTill('second-password'), 'GET', '/v2/leads')).status, 200);

    const client = ok(await cli('oauth-client', 'create', '--org', name, '--entity', code));
    const [revoked, unknownKey] = await Promise.all([
      cli('oauth-client', 'revoke', '--org', name, '--key', client.key),
      cli('oauth-client', 'revoke', '--org', name, '--key', 'll_nope'),
    ]);
    assert.deepEqual(ok(revoked), { key: client.key, entity: code, revoked: true });
    failed(unknownKey, 1206, 1);
    const token = await send(app, undefined, 'POST', '/v3/oauth/token/generate', client);
    assert.equal(token.status, 401);

    const log = ok(await cli('audit', '--org', name));
    const actions = log.data.map((e: { action: string }) => e.action);
    // Newest first; the pairs run concurrently above may be recorded in either order.
    assert.deepEqual(actions.slice(0, 2), ['oauth_client.revoke', 'oauth_client.create']);
    assert.deepEqual(actions.slice(-2), ['entity.create', 'org.create']);
    assert.deepEqual([...actions].sort(), [
      'entity.create',
      'entity.disable',
      'entity.enable',
      'entity.password',
      'oauth_client.create',
      'oauth_client.revoke',
      'org.create',
      'org.settings',
      'org.settings',
      'org.settings',
      'org.settings',
      'reason.update',
    ]);
    assert.ok(log.data.every((e: { actorId: number }) => e.actorId === -1));
  });
});

describe('leadline help and version', () => {
  // Runs the built CLI with a fresh, absent data directory and a port nobody uses, killed after
  // 10 s: a CLI that started the server instead of answering would time out or create the store.
  function quick(args: string[]) {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'leadline-help-')), 'data');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    delete env.DATABASE_URL;
    const run = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
      env,
      encoding: 'utf8',
      timeout: 10_000,
    });
    return { ...run, storeCreated: existsSync(dir) };
  }

  for (const args of [[], ['--help'], ['-h'], ['help'], ['org', 'create', '--help']]) {
    it(`\`leadline ${args.join(' ')}\` prints the usage and exits 0 without opening a store`, () => {
      const run = quick(args);
      assert.equal(run.signal, null, 'it exits by itself');
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^Usage:$/m);
      assert.match(run.stdout, /leadline serve/);
      assert.match(run.stdout, /leadline org create --name NAME/);
      assert.equal(run.storeCreated, false, 'no data directory was created');
    });
  }

  it('checks options with the API’s own schemas: the same limits, named as options, nothing changed', async () => {
    const name = unique('Schema Org');
    ok(await cli('org', 'create', '--name', name));
    const code = unique('till');
    const [tooManyDays, tooShort, badCode, badType] = await Promise.all([
      cli('org', 'set', '--org', name, '--auto-close-days', '5000'),
      cli(
        ...['entity', 'create', '--org', name, '--type', 'TILL', '--code', code],
        '--password',
        'short',
      ),
      cli('entity', 'create', '--org', name, '--type', 'STORE', '--code', 'no spaces'),
      cli('entity', 'create', '--org', name, '--type', 'KIOSK', '--code', unique('kiosk')),
    ]);
    assert.equal(failed(tooManyDays, 1304, 2).message, '--auto-close-days must be at most 3650');
    assert.equal(failed(tooShort, 1304, 2).message, '--password must be at least 8 characters');
    assert.match(failed(badCode, 1304, 2).message, /^--code must start with a letter or a digit/);
    assert.match(failed(badType, 1304, 2).message, /^--type must be one of ZONE, /);
    // Nothing was written: the org keeps its settings and has no such entity.
    const settings = ok(await cli('org', 'set', '--org', name, '--require-if-match', 'off'));
    assert.equal(settings.autoCloseDays, null);
    const created = ok(
      await cli('entity', 'create', '--org', name, '--type', 'till', '--code', code),
    );
    assert.equal(created.type, 'TILL');
    const shortPassword = await cli(
      ...['entity', 'password', '--org', name, '--code', code, '--password', 'short'],
    );
    assert.equal(
      failed(shortPassword, 1304, 2).message,
      '--password must be at least 8 characters',
    );
  });

  it('`leadline --version` prints the package version and exits 0', () => {
    const run = quick(['--version']);
    assert.equal(run.status, 0, run.stderr);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    assert.equal(run.stdout, `${pkg.version}\n`);
    assert.equal(run.storeCreated, false);
  });

  it('an unknown command fails with a usage error, not a server', () => {
    const run = quick(['frobnicate']);
    assert.equal(run.status, 2);
    assert.equal(JSON.parse(run.stderr).error.code, 1304);
    assert.equal(run.storeCreated, false);
  });
});
