import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { storeEnvFor } from '../helpers/cli.js';
import { startBuiltServer, type BuiltServer } from '../helpers/server.js';
import { startPrism, type Prism } from '../helpers/prism.js';
import { walkthroughOf } from '../helpers/walkthrough.js';

describe('README walk-through', () => {
  let server: BuiltServer;
  let prism: Prism;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-readme-'));
  const storeEnv = storeEnvFor(dataDir);

  before(async () => {
    server = await startBuiltServer(storeEnv);
    // The walk-through goes through Prism, which checks every request and response against
    // the document the server publishes.
    const document = path.join(dataDir, 'openapi.json');
    writeFileSync(document, await (await fetch(`${server.base}/openapi.json`)).text());
    prism = await startPrism(document, server.base);
  });

  after(async () => {
    await prism.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs as written, ends with the documented 400, and breaks the OpenAPI document nowhere else', async () => {
    const result = spawnSync('bash', ['-euo', 'pipefail', '-c', walkthroughOf('README.md')], {
      env: { ...process.env, ...storeEnv, BASE: prism.base, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim();
    assert.match(lines, /^\{"id":\d+,"name":"Acme Retail"\}$/m);
    assert.ok(
      lines.endsWith(
        '{"data":null,"warnings":[],"errors":[{"status":false,"code":1101,"message":"reasonId is required"},{"status":false,"code":1103,"message":"status must be one of OPEN, WON, LOST, ON_HOLD, DELETED"}]}',
      ),
      lines.slice(-400),
    );
    assert.match(lines, /"reason":"Size not in stock","subStatus":"AwaitingStock"/);
    // The org's country: a national mobile number becomes the shopper's E.164 number.
    assert.match(lines, /"countryCode":"IN"/);
    assert.match(lines, /"mobile":"\+919845012345"/);
    assert.match(lines, /"followedUpOn":"2026-03-03T09:30:00Z","notes":"Called"/);
    // The only violations are the last call's, made on purpose; no response broke the document.
    assert.deepEqual(await prism.violations(), [
      "Violation: request.body Request body must have required property 'reasonId'",
      'Violation: request.body.status Request body property status must be equal to one of the allowed values: OPEN, WON, LOST, ON_HOLD, DELETED',
    ]);
  });
});
