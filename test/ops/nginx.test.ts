import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_STORE } from '../helpers/app.js';
import { storeEnvFor } from '../helpers/cli.js';
import { ensureDebianPackage } from '../../toolbox/debian.js';
import {
  freePort,
  jsonLogLines,
  ROOT,
  sleep,
  startServer,
  stopGracefully,
  untilRoomInWindow,
  type RunningServer,
} from '../../toolbox/processes.js';

/**
 * The deployment guide's nginx config (deploy/nginx/leadline.conf), run as it ships with a
 * self-signed certificate, in front of `leadline serve` with TRUST_PROXY=1 (docs/deploy.md):
 * TLS, the client's own address through the proxy (and not one it claims), Secure cookies, one
 * request id from nginx to Leadline's log, metrics kept inside, and a 503 the API's clients know
 * while Leadline is down.
 */

const NGINX = '/usr/sbin/nginx';
const METRICS_TOKEN = 'nginx-test-metrics-token';

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** The log lines Leadline wrote, parsed. */
const log = jsonLogLines();
const logLines = log.lines;

describe(`Leadline behind nginx with TLS (${TEST_STORE})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'leadline-nginx-'));
  let leadline: RunningServer;
  let nginx: ChildProcess;
  let nginxErrors = '';
  let cert: Buffer;
  let httpsPort: number;
  let httpPort: number;

  /** A request through nginx's TLS port from `from` (a loopback address of the client's). */
  function viaTls(
    url: string,
    options: { from?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path: url,
          ca: cert,
          localAddress: options.from ?? '127.0.0.1',
          headers: options.headers ?? {},
          agent: false,
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  /** Leadline's `incoming request` log line of the request `id`, once it is written. */
  async function loggedRequest(id: string): Promise<Record<string, any>> {
    for (let i = 0; i < 100; i += 1) {
      const line = logLines.find((l) => l.reqId === id && l.msg === 'incoming request');
      if (line) return line;
      await sleep(20);
    }
    throw new Error(`no log line of request ${id}`);
  }

  before(async () => {
    ensureDebianPackage(NGINX, 'nginx-light', 'the nginx test', (line) =>
      process.stderr.write(`${line}\n`),
    );
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=leadline-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'privkey.pem'),
        '-out',
        path.join(dir, 'fullchain.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(path.join(dir, 'fullchain.pem'));

    leadline = await startServer({
      storeEnv: storeEnvFor(path.join(dir, 'data')),
      env: {
        TRUST_PROXY: '1',
        METRICS_TOKEN,
        LOGIN_FAILURES_PER_IP_PER_5_MINUTES: '3',
        AUTO_CLOSE_INTERVAL_SECONDS: '0',
        WEBHOOK_DISPATCH_INTERVAL_SECONDS: '0',
      },
      onOutput: log.onOutput,
    });
    const leadlinePort = new URL(leadline.base).port;

    [httpsPort, httpPort] = [await freePort(), await freePort()];
    let site = readFileSync(path.join(ROOT, 'deploy', 'nginx', 'leadline.conf'), 'utf8');
    // Only ports and paths change: the config under test is the one the guide ships.
    for (const [from, to] of [
      ['server 127.0.0.1:8080;', `server 127.0.0.1:${leadlinePort};`],
      ['listen 80;', `listen 127.0.0.1:${httpPort};`],
      ['listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`],
      ['/etc/ssl/leadline/', `${dir}/`],
      ['/etc/ssl/leadline/', `${dir}/`],
      ['/var/log/nginx/leadline.access.log', path.join(dir, 'access.log')],
    ] as const) {
      assert.ok(site.includes(from), `the shipped config has "${from}"`);
      site = site.replace(from, to);
    }
    writeFileSync(path.join(dir, 'leadline.conf'), site);
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
          (kind) => `  ${kind}_temp_path ${dir}/${kind}_temp;`,
        ),
        `  include ${dir}/leadline.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    const syntax = spawnSync(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], {
      encoding: 'utf8',
    });
    assert.equal(syntax.status, 0, syntax.stderr);
    nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    nginx.stderr?.on('data', (chunk: Buffer) => (nginxErrors += chunk.toString()));
    for (let i = 0; ; i += 1) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(httpsPort, '127.0.0.1');
        socket.once('connect', () => resolve(socket.end() !== undefined));
        socket.once('error', () => resolve(false));
      });
      if (open) break;
      if (i > 100) throw new Error(`nginx did not listen: ${nginxErrors}`);
      await sleep(50);
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    if (leadline) await stopGracefully(leadline.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves Leadline over TLS, with the request id nginx made on the answer and the log', async () => {
    const answer = await viaTls('/health/ready');
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(JSON.parse(answer.body), { status: 'ok' });
    const id = String(answer.headers['x-request-id']);
    assert.match(id, /^[0-9a-f]{32}$/, 'nginx’s $request_id, kept by Leadline');
    assert.equal((await loggedRequest(id)).req.url, '/health/ready');
  });

  it('sees the client’s own address through the proxy, not one the client claims', async () => {
    for (const from of ['127.0.0.2', '127.0.0.3']) {
      const answer = await viaTls('/health/live', {
        from,
        headers: { 'x-forwarded-for': '203.0.113.66' },
      });
      assert.equal(answer.status, 200);
      const line = await loggedRequest(String(answer.headers['x-request-id']));
      assert.equal(line.req.remoteAddress, from);
    }
  });

  it('keeps failed log-ins apart by client address behind the one proxy', async () => {
    const attempt = (from: string) =>
      viaTls('/v2/leads', {
        from,
        headers: {
          authorization: `Basic ${Buffer.from(`nobody-${from}:wrong`).toString('base64')}`,
        },
      });
    // Failed log-ins count per fixed 5 minutes of the clock: keep the four in one window.
    await untilRoomInWindow(5 * 60_000, 10_000);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await attempt('127.0.0.4')).status);
    assert.deepEqual(statuses, [401, 401, 401, 429], 'three failures per address (the setting)');
    assert.equal((await attempt('127.0.0.5')).status, 401, 'another address is not held back');
  });

  it('marks the web app’s cookies Secure behind TLS', async () => {
    const answer = await viaTls('/app/login');
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['set-cookie']), /;\s*Secure/i);
  });

  it('keeps /metrics inside: not through the proxy, even with the token', async () => {
    const outside = await viaTls('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(outside.status, 404);
    const inside = await fetch(`${leadline.base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(inside.status, 200);
    assert.match(await inside.text(), /^leadline_http_requests_total\{/m);
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const answer = await fetch(`http://127.0.0.1:${httpPort}/v2/leads?limit=5`, {
      redirect: 'manual',
    });
    assert.equal(answer.status, 301);
    assert.equal(answer.headers.get('location'), 'https://127.0.0.1/v2/leads?limit=5');
  });

  it('answers 503 with Retry-After in the API’s envelope while Leadline is down', async () => {
    const reference = await viaTls('/v2/leads');
    const envelope = JSON.parse(reference.body) as Record<string, unknown>;
    await stopGracefully(leadline.child);
    const answer = await viaTls('/v2/leads');
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '5');
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    const body = JSON.parse(answer.body) as { errors: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(body).sort(), Object.keys(envelope).sort());
    assert.deepEqual(Object.keys(body.errors[0]!).sort(), ['code', 'message', 'status']);
    assert.equal(body.errors[0]!.code, 1045);
  });
});
