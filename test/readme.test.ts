import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { storeEnvFor } from './helpers/cli.js';
import { startBuiltServer, type BuiltServer } from './helpers/server.js';
import { walkthroughOf } from './helpers/walkthrough.js';

describe('README walk-through', () => {
  let server: BuiltServer;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-readme-'));
  const storeEnv = storeEnvFor(dataDir);

  before(async () => {
    server = await startBuiltServer(storeEnv);
  });

  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs as written and ends with the documented 400', () => {
    const result = spawnSync('bash', ['-euo', 'pipefail', '-c', walkthroughOf('README.md')], {
      env: { ...process.env, ...storeEnv, BASE: server.base, LOG_LEVEL: 'silent' },
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
  });
});
