import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TEST_STORE } from '../helpers/app.js';
import { runCli, storeEnvFor, type CliRun } from '../helpers/cli.js';
import { startBuiltServer, type BuiltServer } from '../helpers/server.js';
import { walkthroughOf } from '../helpers/walkthrough.js';
import { newLead, newOrg, send } from '../helpers/factories.js';
import { assertError, codeOf } from '../helpers/fixtures.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/core/config.js';
import { createContext, type AppContext } from '../../src/core/context.js';

/** `leadline field create|translate` as a user runs them, and the docs walk-through. */

type Run = CliRun;

describe('leadline field commands', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-field-cli-'));
  const storeEnv = storeEnvFor(dataDir);
  let ctx: AppContext;
  let app: FastifyInstance;

  /** Runs the real CLI in a child process against the test store. */
  const cli = (...args: string[]): Promise<Run> => runCli(storeEnv, args);

  function ok(run: Run): any {
    assert.equal(run.code, 0, `exit ${run.code}; stderr: ${run.stderr}`);
    assert.equal(run.stderr, '');
    return JSON.parse(run.stdout);
  }

  function failed(run: Run, code: number, exit: number): string {
    assert.equal(run.code, exit, `stdout ${run.stdout}; stderr ${run.stderr}`);
    assert.equal(run.stdout, '');
    const parsed = JSON.parse(run.stderr);
    assert.equal(parsed.error?.code, code, run.stderr);
    return parsed.error.message as string;
  }

  before(async () => {
    if (TEST_STORE === 'postgres') assert.ok(storeEnv.DATABASE_URL, 'LEADLINE_TEST_DATABASE_URL');
    ok(await cli('migrate'));
    ctx = createContext(loadConfig({ LOG_LEVEL: 'silent', PG_POOL_SIZE: '2', ...storeEnv }));
    app = await buildApp(ctx, { logger: false });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await ctx?.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('field create and field translate print JSON, and the API serves what they made', async () => {
    const o = await newOrg(ctx);
    const org = o.org.name;
    const created = ok(
      await cli(
        'field',
        'create',
        '--org',
        org,
        '--entity',
        'LEAD',
        '--name',
        'colour',
        '--type',
        'ENUM',
        '--label',
        'Colour',
        '--values',
        'RED,NAVY,OLIVE',
        '--required',
      ),
    );
    assert.deepEqual(created, {
      name: 'colour',
      label: 'Colour',
      dataType: 'ENUM',
      required: true,
      values: [
        { value: 'RED', label: 'RED' },
        { value: 'NAVY', label: 'NAVY' },
        { value: 'OLIVE', label: 'OLIVE' },
      ],
    });
    const translated = ok(
      await cli(
        'field',
        'translate',
        '--org',
        org,
        '--entity',
        'LEAD',
        '--name',
        'colour',
        '--language',
        'fr',
        '--label',
        'Couleur',
        '--value',
        'RED=Rouge',
        '--value',
        'NAVY=Bleu marine',
      ),
    );
    assert.deepEqual(translated, {
      ...created,
      translations: { fr: { label: 'Couleur', values: { RED: 'Rouge', NAVY: 'Bleu marine' } } },
    });

    const french = { headers: { ...o.till.headers, language: 'fr' } };
    const definitions = await send(app, french, 'GET', '/v2/extendedFields?entityType=LEAD');
    assert.equal(definitions.status, 200, definitions.raw);
    assert.deepEqual(definitions.body.data, [
      {
        name: 'colour',
        label: 'Couleur',
        dataType: 'ENUM',
        required: true,
        values: [
          { value: 'RED', label: 'Rouge' },
          { value: 'NAVY', label: 'Bleu marine' },
          { value: 'OLIVE', label: 'OLIVE' },
        ],
      },
    ]);
    const lead = await newLead(app, o.till, { extendedFields: { colour: 'NAVY', mood: 'x' } });
    assert.equal(lead.warnings[0]?.code, codeOf('EXTENDED_FIELD_IGNORED'));
    const read = await send(app, french, 'GET', `/v2/leads/${lead.id}`);
    assert.deepEqual(read.body.extendedFields, { colour: 'Bleu marine' });
    assertError(
      await send(app, o.till, 'POST', '/v2/leads', {
        leadFor: 'x',
        idType: 'EMAIL',
        identifier: 'nobody@example.com',
      }),
      400,
      'FIELD_REQUIRED',
      'extendedFields.colour',
    );

    const audit = await ctx.store.db
      .selectFrom('audit_log')
      .select(['actor_id', 'action', 'target'])
      .where('org_id', '=', o.org.id)
      .where('action', 'like', 'field.%')
      .orderBy('id')
      .execute();
    assert.deepEqual(audit, [
      { actor_id: -1, action: 'field.create', target: 'colour' },
      { actor_id: -1, action: 'field.translate', target: 'colour' },
    ]);
  });

  it('fails with a JSON error: bad options exit 2, unknown fields and duplicates exit 1', async () => {
    const o = await newOrg(ctx);
    const org = o.org.name;
    const field = ['--org', org, '--entity', 'LEAD', '--name'];
    ok(await cli('field', 'create', ...field, 'size', '--type', 'INTEGER'));
    const [badType, missingName, badLanguage, badValue, unknownField, duplicate, unknownOrg] =
      await Promise.all([
        cli('field', 'create', ...field, 'colour', '--type', 'COLOUR'),
        cli('field', 'create', '--org', org, '--entity', 'LEAD', '--type', 'STRING'),
        cli('field', 'translate', ...field, 'size', '--language', 'french', '--label', 'Taille'),
        cli('field', 'translate', ...field, 'size', '--language', 'fr', '--value', 'Rouge'),
        cli('field', 'translate', ...field, 'colour', '--language', 'fr', '--label', 'Couleur'),
        cli('field', 'create', ...field, 'size', '--type', 'STRING'),
        cli(
          'field',
          'create',
          '--org',
          `${org}-x`,
          '--entity',
          'LEAD',
          '--name',
          'a',
          '--type',
          'STRING',
        ),
      ]);
    assert.match(failed(badType, codeOf('INVALID_ARGUMENT'), 2), /^--type\b/);
    assert.match(failed(missingName, codeOf('INVALID_ARGUMENT'), 2), /--name/);
    assert.match(failed(badLanguage, codeOf('INVALID_ARGUMENT'), 2), /^--language\b/);
    assert.match(failed(badValue, codeOf('INVALID_ARGUMENT'), 2), /^--value Rouge\b/);
    assert.match(failed(unknownField, codeOf('FIELD_NOT_FOUND'), 1), /colour/);
    assert.match(failed(duplicate, codeOf('FIELD_EXISTS'), 1), /size/);
    failed(unknownOrg, codeOf('ORG_NOT_FOUND'), 1);

    const definitions = await send(app, o.till, 'GET', '/v2/extendedFields?entityType=LEAD');
    assert.deepEqual(
      definitions.body.data.map((f: any) => [f.name, f.dataType, f.label]),
      [['size', 'INTEGER', 'size']],
    );
  });
});

describe('docs/extended-fields.md walk-through', () => {
  let server: BuiltServer;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-fields-doc-'));
  const storeEnv = storeEnvFor(dataDir);

  before(async () => {
    server = await startBuiltServer(storeEnv);
  });

  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs as written and shows the documented answers', () => {
    const result = spawnSync(
      'bash',
      ['-euo', 'pipefail', '-c', walkthroughOf('docs/extended-fields.md')],
      {
        env: { ...process.env, ...storeEnv, BASE: server.base, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout.trim();
    assert.match(out, /^\{"id":\d+,"name":"Brio Fashion"\}$/m);
    // The translate command prints the stored definition with its translations.
    assert.match(
      out,
      /"translations":\{"fr":\{"label":"Couleur","values":\{"RED":"Rouge","NAVY":"Bleu marine"\}\}\}/,
    );
    assert.ok(
      out.includes(
        '{"data":[{"name":"colour","label":"Couleur","dataType":"ENUM","required":true,"values":[{"value":"RED","label":"Rouge"},{"value":"NAVY","label":"Bleu marine"},{"value":"OLIVE","label":"OLIVE"}]},{"name":"pickup_date","label":"Date de retrait","dataType":"DATE","required":false}],"warnings":[],"errors":[]}',
      ),
      out,
    );
    assert.ok(
      out.includes(
        '{"status":false,"code":2004,"message":"extendedFields.mood is not a field this org defines for leads; it was dropped"}',
      ),
      out,
    );
    assert.ok(out.includes("{ colour: 'Bleu marine', pickup_date: '2026-03-14' }"), out);
    assert.ok(out.includes("{ colour: 'NAVY', pickup_date: '2026-03-14' }"), out);
    assert.ok(
      out.endsWith(
        '{"data":null,"warnings":[],"errors":[{"status":false,"code":1103,"message":"extendedFields.colour must be one of RED, NAVY, OLIVE"}]}',
      ),
      out.slice(-400),
    );
  });
});
