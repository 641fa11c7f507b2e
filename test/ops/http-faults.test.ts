import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_STORE } from '../helpers/app.js';
import { startBuiltServer, type BuiltServer } from '../helpers/server.js';

/**
 * Faults of the connection, against the built server (docs/reliability.md, Faults): broken
 * framing and oversized headers answer in the contract's envelope; a client that sends its
 * request too slowly is cut off in bounded time; a shutdown ends in bounded time whatever
 * clients do.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-http-faults-'));
const storeEnv: Record<string, string> =
  TEST_STORE === 'postgres'
    ? { DATABASE_URL: String(process.env.LEADLINE_TEST_DATABASE_URL) }
    : { DATA_DIR: dataDir };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Raw = { status: number; headers: string; body: string; closedAfterMs: number };

/**
 * Writes `chunks` to a fresh connection (waiting `gapMs` between them) and reads until the
 * server closes it, or `giveUpMs` passes (then `status` is 0).
 */
function exchange(
  port: number,
  chunks: string[],
  options: { gapMs?: number; giveUpMs?: number } = {},
): Promise<Raw> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      socket.destroy();
      const [head = '', body = ''] = received.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head.toLowerCase(), body, closedAfterMs: Date.now() - started });
    };
    const giveUp = setTimeout(finish, options.giveUpMs ?? 10_000);
    socket.on('data', (data: Buffer) => (received += data.toString('utf8')));
    socket.on('close', finish);
    socket.on('error', finish);
    const send = async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && options.gapMs) await sleep(options.gapMs);
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    };
    socket.on('connect', () => void send());
  });
}

/** Asserts an answer in the contract's error envelope with catalogue code `code`. */
function assertEnvelope(raw: Raw, status: number, code: number): void {
  assert.equal(raw.status, status, `${raw.headers}\n${raw.body}`);
  assert.match(raw.headers, /content-type: application\/json/);
  const body = JSON.parse(raw.body);
  assert.equal(body.data, null);
  assert.deepEqual(body.warnings, []);
  assert.equal(body.errors.length, 1);
  assert.equal(body.errors[0].status, false);
  assert.equal(body.errors[0].code, code, raw.body);
  assert.equal(typeof body.errors[0].message, 'string');
}

describe('connection faults (built server)', () => {
  let server: BuiltServer;
  let port: number;
  before(async () => {
    server = await startBuiltServer({
      ...storeEnv,
      HEADERS_TIMEOUT_MS: '1000',
      REQUEST_BODY_TIMEOUT_MS: '2000',
      AUTO_CLOSE_INTERVAL_SECONDS: '0',
    });
    port = Number(new URL(server.base).port);
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = 'POST /v2/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';
  const framing: Array<[name: string, request: string]> = [
    ['a bad chunk size', `${post}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
    [
      'both Content-Length and Transfer-Encoding',
      `${post}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    ['two different Content-Lengths', `${post}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`],
    ['a Content-Length that is not a number', `${post}Content-Length: two\r\n\r\n{}`],
    ['a method the parser does not know', 'FROB /v2/leads HTTP/1.1\r\nHost: x\r\n\r\n'],
  ];
  for (const [name, request] of framing) {
    it(`answers ${name} with 400 BAD_REQUEST in the envelope and closes`, async () => {
      const raw = await exchange(port, [request]);
      assertEnvelope(raw, 400, 1008);
      assert.match(raw.headers, /connection: close/);
    });
  }

  it('answers a known method no route has (PROPFIND) with 405 in the envelope', async () => {
    const raw = await exchange(port, [
      'PROPFIND /v2/leads HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ]);
    assertEnvelope(raw, 405, 1002);
  });

  it('answers headers over 16 KiB with 431 HEADERS_TOO_LARGE in the envelope', async () => {
    const raw = await exchange(port, [
      `GET /v2/leads HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ]);
    assertEnvelope(raw, 431, 1044);
  });

  it('cuts off clients that send their body a byte at a time, with 408 in bounded time', async () => {
    // 20 clients promise 200 bytes and send one every 200 ms: 40 s each if nobody stopped them.
    // The token route reads its body before it can answer anything.
    const head =
      'POST /v3/oauth/token/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      'Content-Length: 200\r\n\r\n';
    const trickle = [head, ...Array.from({ length: 200 }, () => ' ')];
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => exchange(port, trickle, { gapMs: 200, giveUpMs: 15_000 })),
    );
    for (const raw of answers) {
      assertEnvelope(raw, 408, 1042);
      // REQUEST_BODY_TIMEOUT_MS is 2 s; Node checks every second.
      assert.ok(raw.closedAfterMs < 5000, `closed after ${raw.closedAfterMs} ms`);
    }
    // The server still answers everyone else at once.
    const health = await fetch(`${server.base}/health`);
    assert.equal(health.status, 200);
  });

  it('cuts off clients that send their headers a byte at a time', async () => {
    const request = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100);
    const raw = await exchange(port, [...request], { gapMs: 100, giveUpMs: 15_000 });
    assertEnvelope(raw, 408, 1042);
    assert.ok(raw.closedAfterMs < 4000, `closed after ${raw.closedAfterMs} ms`);
  });
});

describe('shutdown in bounded time (built server)', () => {
  it('exits within SHUTDOWN_TIMEOUT_MS of SIGTERM although slow clients hold connections', async () => {
    const server = await startBuiltServer({
      ...storeEnv,
      // The body timeout would hold these clients for a minute: only the shutdown bound helps.
      REQUEST_BODY_TIMEOUT_MS: '60000',
      HEADERS_TIMEOUT_MS: '60000',
      SHUTDOWN_TIMEOUT_MS: '1500',
      AUTO_CLOSE_INTERVAL_SECONDS: '0',
    });
    const port = Number(new URL(server.base).port);
    const head = `${'POST /v2/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'}Content-Length: 500\r\n\r\n`;
    const slow = Array.from({ length: 10 }, () =>
      exchange(port, [head, ...Array.from({ length: 500 }, () => ' ')], {
        gapMs: 1000,
        giveUpMs: 30_000,
      }),
    );
    await sleep(1500);
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    const code = await exited;
    const tookMs = Date.now() - started;
    assert.equal(code, 0);
    assert.ok(tookMs < 1500 + 2000, `shutdown took ${tookMs} ms`);
    for (const raw of await Promise.all(slow)) {
      assert.ok(raw.closedAfterMs < 10_000, `a slow client was held ${raw.closedAfterMs} ms`);
    }
  });
});
