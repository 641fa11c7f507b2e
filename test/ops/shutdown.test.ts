import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { TEST_STORE } from '../helpers/app.js';
import { waitUntilReady } from '../../toolbox/processes.js';

/**
 * Graceful shutdown of the built server (docs/crash-safety.md): on SIGTERM it stops accepting
 * connections, finishes the requests it has accepted (each gets its 200 and its write is kept),
 * closes the store and exits 0.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-shutdown-'));
const storeEnv: Record<string, string> =
  TEST_STORE === 'postgres'
    ? { DATABASE_URL: String(process.env.LEADLINE_TEST_DATABASE_URL) }
    : { DATA_DIR: dataDir };
const env = { ...process.env, ...storeEnv };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cli(...args: string[]): any {
  const result = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    env: { ...env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

type Server = { child: ChildProcess; port: number; exited: Promise<number | null> };

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--workers', '1'], {
    env: { ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
  await waitUntilReady(`http://127.0.0.1:${port}`);
  return { child, port, exited };
}

/**
 * A lead create on its own connection whose body is sent in two parts: the request is accepted
 * (headers read, credentials checked) but cannot finish until `finish` sends the rest.
 */
function slowCreate(port: number, authorization: string, marker: string) {
  const body = JSON.stringify({
    leadFor: marker,
    idType: 'EMAIL',
    identifier: `${marker}@example.com`,
  });
  const socket = net.connect(port, '127.0.0.1');
  const head = [
    'POST /v2/leads HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    `Authorization: ${authorization}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  const half = Math.floor(body.length / 2);
  socket.write(head + body.slice(0, half));
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    let raw = '';
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
      const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      // The server may answer chunked; the JSON object is between the first { and the last }.
      let json: any;
      try {
        json = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
      } catch {
        json = undefined;
      }
      resolve({ status, body: json });
    });
  });
  return { finish: () => socket.write(body.slice(half)), response };
}

/**
 * Whether a new connection gets in. Refused and reset both mean turned away: a connection that
 * reached the listen backlog just as the listener closed is reset by the kernel.
 */
function connectOutcome(port: number): Promise<'connected' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET'
        ? resolve('refused')
        : reject(error),
    );
  });
}

async function leadMarkers(port: number, authorization: string): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${port}/v2/leads?limit=1000`, {
    headers: { authorization },
  });
  assert.equal(response.status, 200);
  const json = (await response.json()) as { data: Array<{ leadFor: string }> };
  return json.data.map((lead) => lead.leadFor);
}

describe(`graceful shutdown on ${TEST_STORE}`, () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('on SIGTERM refuses new connections, answers every accepted request, exits 0', async () => {
    const runId = randomUUID().slice(0, 8);
    const org = `Shutdown ${runId}`;
    cli('org', 'create', '--name', org);
    cli('entity', 'create', '--org', org, '--type', 'STORE', '--code', `sd-store-${runId}`);
    const password = `pw-${randomUUID()}`;
    const login = `sd-till-${runId}`;
    cli(
      ...['entity', 'create', '--org', org, '--type', 'TILL', '--code', login],
      ...['--parent', `sd-store-${runId}`, '--password', password],
    );
    const md5 = createHash('md5').update(password).digest('hex');
    const authorization = `Basic ${Buffer.from(`${login}:${md5}`).toString('base64')}`;

    const server = await startServer();
    let exitCode: number | null | undefined;
    void server.exited.then((code) => (exitCode = code));
    try {
      // Warm the credential cache so the accepted requests wait only on their bodies.
      assert.deepEqual(await leadMarkers(server.port, authorization), []);

      const slow = Array.from({ length: 8 }, (_, i) =>
        slowCreate(server.port, authorization, `slow-${runId}-${i}`),
      );
      await sleep(300); // their headers are read and their credentials checked
      // A burst of complete requests racing the signal: each either gets its 200 (and is kept) or
      // is turned away before it is accepted (connection refused or reset, or 503).
      const burst = Array.from({ length: 16 }, (_, i) => {
        const marker = `burst-${runId}-${i}`;
        return fetch(`http://127.0.0.1:${server.port}/v2/leads`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ leadFor: marker, idType: 'EMAIL', identifier: `${marker}@x.io` }),
          signal: AbortSignal.timeout(15_000),
        }).then(
          async (r) => ({ marker, status: r.status, body: await r.text() }),
          () => ({ marker, status: 0, body: '' }),
        );
      });
      await sleep(10); // some of the burst is in, some not yet
      server.child.kill('SIGTERM');

      // New connections are refused while the accepted requests are still open.
      let outcome = await connectOutcome(server.port);
      for (let i = 0; i < 100 && outcome === 'connected'; i += 1) {
        await sleep(20);
        outcome = await connectOutcome(server.port);
      }
      assert.equal(outcome, 'refused');
      assert.equal(exitCode, undefined, 'the server must wait for its accepted requests');

      for (const request of slow) request.finish();
      const answers = await Promise.all(slow.map((request) => request.response));
      for (const [i, answer] of answers.entries()) {
        assert.equal(answer.status, 200, JSON.stringify(answer));
        assert.equal(answer.body.leadFor, `slow-${runId}-${i}`);
      }
      const burstAnswers = await Promise.all(burst);
      for (const answer of burstAnswers) {
        assert.ok([0, 200, 503].includes(answer.status), JSON.stringify(answer));
      }

      const code = await Promise.race([server.exited, sleep(10_000).then(() => 'timeout')]);
      assert.equal(code, 0, 'exit code after SIGTERM');

      // The store is consistent and holds every acknowledged write exactly once.
      if (TEST_STORE === 'sqlite') {
        const file = new SqliteDatabase(path.join(dataDir, 'leadline.db'));
        try {
          assert.equal(file.pragma('integrity_check', { simple: true }), 'ok');
        } finally {
          file.close();
        }
      }
      const fresh = await startServer();
      try {
        const markers = await leadMarkers(fresh.port, authorization);
        const acknowledged = [
          ...answers.map((_, i) => `slow-${runId}-${i}`),
          ...burstAnswers.filter((a) => a.status === 200).map((a) => a.marker),
        ];
        for (const marker of acknowledged) {
          assert.equal(markers.filter((m) => m === marker).length, 1, marker);
        }
        assert.equal(new Set(markers).size, markers.length, 'no lead doubled');
      } finally {
        fresh.child.kill('SIGTERM');
        assert.equal(await fresh.exited, 0);
      }
    } finally {
      if (exitCode === undefined) server.child.kill('SIGKILL');
    }
  });
});
