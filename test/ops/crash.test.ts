import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { TEST_STORE } from '../helpers/app.js';
import { TSX } from '../../toolbox/processes.js';

/**
 * The short form of scripts/crash-test.ts (docs/crash-safety.md): write load against the built
 * server, SIGKILL at random moments, restart, and every acknowledged write is there exactly
 * once. PostgreSQL runs get a database of their own, created and dropped by the script, beside
 * the run's database.
 */

type Run = { code: number | null; summary: any; stderr: string };

// Generous: after the last kill, the deliveries the killed server had leased wait out their lease
// (a send timeout per wave of 16 sends, plus 30 s) before they are sent again, and the run
// takes about 50 s on this machine.
function crashTest(args: string[], timeoutMs = 150_000): Promise<Run> {
  // The script connects to the run's database only to create (and drop) one beside it.
  const runDatabase = process.env.LEADLINE_TEST_DATABASE_URL;
  const storeArgs =
    TEST_STORE === 'postgres' && runDatabase
      ? ['--store', 'postgres', '--admin-url', runDatabase]
      : ['--store', TEST_STORE];
  const child = spawn(process.execPath, [...TSX, 'scripts/crash-test.ts', ...storeArgs, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`crash test did not finish within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      let summary: any;
      try {
        summary = JSON.parse(line);
      } catch {
        summary = undefined;
      }
      resolve({ code, summary, stderr });
    });
  });
}

/** A run that must find every acknowledged write once and every one's event delivered. */
function assertClean(run: Run, kills: number, serverWorkers: number): void {
  assert.equal(run.code, 0, run.stderr);
  const s = run.summary;
  assert.ok(s, run.stderr);
  assert.equal(s.store, TEST_STORE);
  assert.equal(s.serverWorkers, serverWorkers);
  assert.equal(s.lost, 0, run.stderr);
  assert.equal(s.doubled, 0, run.stderr);
  assert.ok(s.kills >= kills, JSON.stringify(s));
  assert.ok(s.acknowledged > 0, JSON.stringify(s));
  assert.equal(s.checked, s.requests, JSON.stringify(s));
  // Every acknowledged write's event reached the receiver, signed, at least once.
  assert.equal(s.webhooks.eventsExpected, s.acknowledged, JSON.stringify(s));
  assert.equal(s.webhooks.eventsMissing, 0, JSON.stringify(s));
  assert.equal(s.webhooks.badSignatures, 0, JSON.stringify(s));
  assert.equal(s.webhooks.differingDuplicates, 0, JSON.stringify(s));
  assert.ok(s.webhooks.deliveries >= s.acknowledged, JSON.stringify(s));
}

describe(`crash safety on ${TEST_STORE} (short form)`, () => {
  it('loses and doubles no acknowledged write across 5 SIGKILLs, and delivers each one’s event', async () => {
    assertClean(await crashTest(['--kills', '5', '--workers', '6']), 5, 1);
  });

  it('does the same with the server in two processes (--workers 2), all killed at once', async () => {
    assertClean(await crashTest(['--kills', '3', '--workers', '6', '--server-workers', '2']), 3, 2);
  });

  it('fails when an acknowledged write is missing or doubled (the checker is not blind)', async () => {
    const [lose, double] = await Promise.all([
      crashTest(['--kills', '1', '--inject-fault', 'lose']),
      crashTest(['--kills', '0', '--tail-ms', '1500', '--inject-fault', 'double']),
    ]);
    assert.equal(lose.code, 1, lose.stderr);
    assert.equal(lose.summary?.lost, 1, lose.stderr);
    assert.equal(lose.summary?.doubled, 0, lose.stderr);
    assert.equal(double.code, 1, double.stderr);
    assert.equal(double.summary?.lost, 0, double.stderr);
    assert.equal(double.summary?.doubled, 1, double.stderr);
  });
});
