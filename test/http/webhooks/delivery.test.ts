import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, type TestOrg } from '../../helpers/factories.js';
import { addReason, assertError } from '../../helpers/fixtures.js';
import { dispatchWebhooks } from '../../../src/webhooks/index.js';
import { pruneDeliveries } from '../../../src/webhooks/delivery.service.js';
import { pruneEvents } from '../../../src/events/event.service.js';
import { sendWebhook } from '../../../src/webhooks/webhook-sender.js';
import { parseAllowList, type AllowList } from '../../../src/core/network-targets.js';
import { DAY_MS, SECOND_MS } from '../../../src/core/date-time.js';

type Received = {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: { id: string; type: string; data: { leadId: number; leadVersion: number } };
};
type Answer = { status: number; body?: string; headers?: Record<string, string>; hang?: boolean };

/**
 * A receiving endpoint on 127.0.0.1: records every request, and answers each path with the
 * answers queued for it (then 200), so a test scripts failures.
 */
class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, Answer[]>();
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      this.received.push({
        path,
        headers: request.headers as Record<string, string>,
        body,
        json: body ? JSON.parse(body) : undefined,
      });
      const leadId = (JSON.parse(body || '{}') as { data?: { leadId?: number } }).data?.leadId;
      const answer = this.answers.get(`${path}#${leadId}`)?.shift() ??
        this.answers.get(path)?.shift() ?? { status: 200, body: 'ok' };
      if (answer.hang) return;
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  base = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
  /** Queues answers for `path`; with `#LEAD_ID` appended, for that lead's events only. */
  answer(path: string, ...answers: Answer[]): void {
    this.answers.set(path, [...(this.answers.get(path) ?? []), ...answers]);
  }
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }
}

describe('webhook delivery', () => {
  // Signatures carry the clock's time, which receivers check against theirs: start at now.
  const clock = new TestClock(Date.now());
  const t = useTestApp({
    clock,
    env: {
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SECONDS: '10,20,30',
      WEBHOOK_TIMEOUT_SECONDS: '0.5',
      WEBHOOK_DISPATCH_INTERVAL_SECONDS: '0',
    },
  });
  const receiver = new Receiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  let paths = 0;
  /** An endpoint of `o` at a path of its own; answers it with its secret. */
  async function endpoint(o: TestOrg, body: Record<string, unknown> = {}) {
    const path = `/hook-${++paths}`;
    const created = await send(t.app, o.admin, 'POST', '/v2/admin/webhooks', {
      url: `${receiver.base}${path}`,
      ...body,
    });
    assert.equal(created.status, 200, created.raw);
    return { id: created.body.id as number, secret: created.body.secret as string, path };
  }

  /** Dispatcher rounds until one creates and sends nothing. */
  async function dispatch(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const { created, sent } = await dispatchWebhooks(t.ctx);
      if (created === 0 && sent === 0) return;
    }
    throw new Error('the dispatcher never went idle');
  }

  async function deliveries(o: TestOrg, query: string) {
    const response = await send(t.app, o.admin, 'GET', `/v2/admin/webhooks/deliveries?${query}`);
    assert.equal(response.status, 200, response.raw);
    return response.body.data as Array<any>;
  }

  async function feedEvents(o: TestOrg) {
    return (await send(t.app, o.till, 'GET', '/v2/events?limit=1000')).body.data as Array<any>;
  }

  it('delivers each event of the endpoint’s types, signed, as the feed shows it', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const early = await newLead(t.app, o.till);
    const all = await endpoint(o);
    const created = await endpoint(o, { events: ['lead.created'] });
    const theirs = await endpoint(other);
    const lead = await newLead(t.app, o.till);
    const followUp = await send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
      followedUpOn: new Date(clock.ms).toISOString(),
      createdBy: o.associate.id,
      notes: 'called',
    });
    assert.equal(followUp.status, 200, followUp.raw);
    await newLead(t.app, other.till);
    await dispatch();

    const got = receiver.at(all.path);
    assert.deepEqual(
      got.map((r) => [r.json.type, r.json.data.leadId]),
      [
        ['lead.created', lead.id],
        ['lead.follow_up_added', lead.id],
      ],
      'the endpoint receives what happened after it was created, nothing of another org',
    );
    assert.ok(!got.some((r) => r.json.data.leadId === early.id));
    const feed = await feedEvents(o);
    for (const request of got) {
      const verified = new Webhook(all.secret).verify(request.body, request.headers);
      assert.deepEqual(verified, request.json);
      assert.equal(request.headers['webhook-id'], request.json.id);
      assert.equal(request.headers['content-type'], 'application/json');
      assert.deepEqual(
        request.json,
        feed.find((e) => e.id === request.json.id),
        'the body is the event the feed shows',
      );
    }
    assert.throws(() => new Webhook(created.secret).verify(got[0]!.body, got[0]!.headers));
    assert.deepEqual(
      receiver.at(created.path).map((r) => r.json.type),
      ['lead.created'],
    );
    assert.equal(receiver.at(theirs.path).length, 1);
    const log = await deliveries(o, `endpointId=${all.id}`);
    assert.deepEqual(
      log.map((d) => [d.status, d.attempts.length, d.attempts[0].statusCode]),
      [
        ['delivered', 1, 200],
        ['delivered', 1, 200],
      ],
    );
    const health = await send(t.app, o.admin, 'GET', `/v2/admin/webhooks/${all.id}/health`);
    assert.deepEqual(
      [health.body.pending, health.body.delivered, health.body.failed],
      [0, 2, 0],
      'the health counts this endpoint’s deliveries only',
    );
  });

  /** This process's attempts so far by outcome (the `leadline_webhook_attempts_total` metric). */
  async function attemptsCounted(): Promise<Record<string, number>> {
    const { values } = await t.ctx.metrics.webhookAttempts.get();
    return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
  }

  it('retries on the schedule, logs every attempt, and gives up after the last', async () => {
    clock.ms = Date.now();
    const counted = await attemptsCounted();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    receiver.answer(
      hook.path,
      { status: 500, body: 'x'.repeat(3000) },
      { status: 502, body: 'bad gateway' },
    );
    const lead = await newLead(t.app, o.till);
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 1);
    const backlog = await t.ctx.metrics.registry.getSingleMetricAsString(
      'leadline_webhook_backlog',
    );
    const pending = Number(/^leadline_webhook_backlog (\d+)$/m.exec(backlog)?.[1]);
    assert.ok(pending >= 1, `the delivery waiting for its retry is in the backlog: ${backlog}`);
    clock.advance(8 * SECOND_MS);
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 1, 'not before the first delay (10 s ±10 %)');
    clock.advance(4 * SECOND_MS);
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 2);
    clock.advance(23 * SECOND_MS);
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 3);
    const [delivery] = await deliveries(o, `leadId=${lead.id}`);
    assert.equal(delivery.status, 'delivered');
    assert.deepEqual(
      delivery.attempts.map((a: any) => a.statusCode),
      [500, 502, 200],
    );
    assert.equal(delivery.attempts[0].responseBody, 'x'.repeat(1024), 'the first 1 KB');
    assert.equal(delivery.attempts[1].error, 'the endpoint answered 502');
    assert.ok(delivery.attempts.every((a: any) => Number.isInteger(a.latencyMs)));
    assert.equal(
      new Set(receiver.at(hook.path).map((r) => r.headers['webhook-id'])).size,
      1,
      'every attempt carries the same webhook-id',
    );

    receiver.answer(hook.path, ...Array.from({ length: 4 }, () => ({ status: 500 })));
    const doomed = await newLead(t.app, o.till);
    for (let i = 0; i < 4; i++) {
      await dispatch();
      clock.advance(40 * SECOND_MS);
    }
    const [given] = await deliveries(o, `leadId=${doomed.id}`);
    assert.equal(given.status, 'failed', 'given up after 1 + 3 attempts');
    assert.equal(given.attempts.length, 4);
    assert.equal(given.nextAttemptAt, null);
    // The metric counts every attempt this process made (other orgs' too, on a shared store).
    const now = await attemptsCounted();
    const grew = (outcome: string) => (now[outcome] ?? 0) - (counted[outcome] ?? 0);
    assert.ok(grew('retrying') >= 5, `retrying +${grew('retrying')}`);
    assert.ok(grew('given_up') >= 1, `given up +${grew('given_up')}`);
    assert.ok(grew('delivered') >= 1, `delivered +${grew('delivered')}`);
  });

  it('keeps one lead’s events in order while other leads flow', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    const reason = await addReason(t.app, o.till, 'Bought elsewhere');
    const a = await newLead(t.app, o.till);
    receiver.answer(`${hook.path}#${a.id}`, { status: 503 });
    const lost = await send(t.app, o.till, 'PUT', `/v2/leads/${a.id}/status`, {
      status: 'LOST',
      reasonId: reason,
    });
    assert.equal(lost.status, 200, lost.raw);
    const b = await newLead(t.app, o.till);
    await dispatch();
    assert.deepEqual(
      receiver
        .at(hook.path)
        .map((r) => `${r.json.data.leadId} ${r.json.type}`)
        .sort(),
      [`${a.id} lead.created`, `${b.id} lead.created`].sort(),
      'a’s status change waits for a’s creation; b does not wait',
    );
    clock.advance(15 * SECOND_MS);
    await dispatch();
    const ofA = receiver.at(hook.path).filter((r) => r.json.data.leadId === a.id);
    assert.deepEqual(
      ofA.map((r) => r.json.type),
      ['lead.created', 'lead.created', 'lead.status_changed'],
    );
  });

  it('holds a lead’s new event behind its delivery waiting for a retry', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    const reason = await addReason(t.app, o.till, 'Shopper travelling');
    const a = await newLead(t.app, o.till);
    receiver.answer(`${hook.path}#${a.id}`, { status: 503 });
    await dispatch();
    // The creation waits for its retry; the status change made now is a later round's new event.
    const onHold = await send(t.app, o.till, 'PUT', `/v2/leads/${a.id}/status`, {
      status: 'ON_HOLD',
      reasonId: reason,
    });
    assert.equal(onHold.status, 200, onHold.raw);
    await dispatch();
    assert.deepEqual(
      receiver.at(hook.path).map((r) => r.json.type),
      ['lead.created'],
      'the status change is not sent while the creation waits for its retry',
    );
    clock.advance(15 * SECOND_MS);
    await dispatch();
    assert.deepEqual(
      receiver.at(hook.path).map((r) => r.json.type),
      ['lead.created', 'lead.created', 'lead.status_changed'],
    );
  });

  it('honours Retry-After, and a 410 disables the endpoint in the audit log', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    receiver.answer(hook.path, { status: 429, headers: { 'retry-after': '120' } });
    const lead = await newLead(t.app, o.till);
    const at = clock.ms;
    await dispatch();
    const [waiting] = await deliveries(o, `leadId=${lead.id}`);
    assert.equal(waiting.status, 'pending');
    assert.equal(
      Date.parse(waiting.nextAttemptAt),
      Math.floor((at + 120 * SECOND_MS) / 1000) * 1000,
    );
    clock.advance(60 * SECOND_MS);
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 1, 'not before Retry-After');

    receiver.answer(hook.path, { status: 410 });
    clock.advance(61 * SECOND_MS);
    await dispatch();
    const [gone] = await deliveries(o, `leadId=${lead.id}`);
    assert.equal(gone.status, 'failed');
    const listed = await send(t.app, o.admin, 'GET', '/v2/admin/webhooks');
    assert.equal(listed.body.data[0].enabled, false);
    const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=1');
    assert.deepEqual(
      [audit.body.data[0].action, audit.body.data[0].actorId, audit.body.data[0].details.reason],
      ['webhook.disable', -1, 'the endpoint answered 410 Gone'],
    );
    await newLead(t.app, o.till);
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 2, 'a disabled endpoint receives nothing');
  });

  it('disables an endpoint whose every attempt failed for 3 days', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    receiver.answer(hook.path, ...Array.from({ length: 20 }, () => ({ status: 500 })));
    for (let day = 0; day < 4; day++) {
      await newLead(t.app, o.till);
      await dispatch();
      clock.advance(DAY_MS);
    }
    const health = await send(t.app, o.admin, 'GET', `/v2/admin/webhooks/${hook.id}/health`);
    assert.equal(health.status, 200, health.raw);
    assert.equal(health.body.enabled, false);
    assert.ok(health.body.failingSince);
    assert.equal(health.body.lastSuccessAt, null);
    const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=1');
    assert.equal(audit.body.data[0].details.reason, 'every delivery attempt failed for 3 days');
  });

  it('times out a silent endpoint, and follows no redirect', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    receiver.answer(
      hook.path,
      { status: 200, hang: true },
      {
        status: 302,
        headers: { location: `${receiver.base}/elsewhere` },
      },
    );
    const lead = await newLead(t.app, o.till);
    await dispatch();
    clock.advance(15 * SECOND_MS);
    await dispatch();
    const [delivery] = await deliveries(o, `leadId=${lead.id}`);
    assert.match(delivery.attempts[0].error, /no answer within 500 ms/);
    assert.equal(delivery.attempts[0].statusCode, null);
    assert.equal(delivery.attempts[1].statusCode, 302);
    assert.equal(receiver.at('/elsewhere').length, 0);
  });

  it('signs with the old and the new secret for a day after a rotation', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    const rotated = await send(
      t.app,
      o.admin,
      'POST',
      `/v2/admin/webhooks/${hook.id}/rotateSecret`,
    );
    assert.equal(rotated.status, 200, rotated.raw);
    await newLead(t.app, o.till);
    await dispatch();
    const [request] = receiver.at(hook.path);
    assert.ok(request);
    assert.equal(request.headers['webhook-signature']!.split(' ').length, 2);
    new Webhook(hook.secret).verify(request.body, request.headers);
    new Webhook(rotated.body.secret).verify(request.body, request.headers);
  });

  it('replays one event or a time range, and lists deliveries by event', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const hook = await endpoint(o);
    const lead = await newLead(t.app, o.till);
    await newLead(t.app, o.till);
    await dispatch();
    const first = receiver.at(hook.path).find((r) => r.json.data.leadId === lead.id);
    const eventId = first!.json.id;
    const replay = (body: unknown, who = o, id = hook.id) =>
      send(t.app, who.admin, 'POST', `/v2/admin/webhooks/${id}/replay`, body);

    const one = await replay({ eventId });
    assert.equal(one.status, 200, one.raw);
    assert.equal(one.body.replayed, 1);
    await dispatch();
    const again = receiver.at(hook.path).filter((r) => r.json.id === eventId);
    assert.equal(again.length, 2);
    assert.equal(again[1]!.body, again[0]!.body);
    const byEvent = await deliveries(o, `eventId=${eventId}`);
    assert.deepEqual(
      byEvent.map((d) => [d.replay, d.status, d.leadId]),
      [
        [true, 'delivered', lead.id],
        [false, 'delivered', lead.id],
      ],
    );

    const range = await replay({
      from: new Date(clock.ms - 60_000).toISOString(),
      to: new Date(clock.ms + 60_000).toISOString(),
    });
    assert.equal(range.body.replayed, 2);
    assertError(await replay({}), 400, 'FIELD_REQUIRED', 'eventId');
    assertError(
      await replay({ eventId, from: new Date().toISOString() }),
      400,
      'FIELD_REQUIRED',
      'eventId',
    );
    assertError(
      await replay({ eventId: 'evt_00000000000000000000000000000000' }),
      400,
      'FIELD_UNKNOWN_REFERENCE',
      'eventId',
    );
    assertError(await replay({ eventId }, other), 404, 'WEBHOOK_NOT_FOUND', String(hook.id));
    const theirs = await endpoint(other);
    assertError(
      await replay({ eventId }, other, theirs.id),
      400,
      'FIELD_UNKNOWN_REFERENCE',
      'eventId',
    );
    assert.deepEqual(await deliveries(other, `eventId=${eventId}`), []);
  });

  it('creates each delivery once when two dispatchers run at once', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    await Promise.all(Array.from({ length: 5 }, () => newLead(t.app, o.till)));
    await Promise.all([dispatchWebhooks(t.ctx), dispatchWebhooks(t.ctx), dispatchWebhooks(t.ctx)]);
    await dispatch();
    const ids = receiver.at(hook.path).map((r) => r.json.id);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
  });

  it('leaves a delivery to the process that took it over when a lease ran out', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    // The first process's send gets no answer; the second's is answered 200.
    receiver.answer(hook.path, { status: 200, hang: true });
    const lead = await newLead(t.app, o.till);
    const first = dispatchWebhooks(t.ctx);
    while (receiver.at(hook.path).length === 0) await new Promise((r) => setTimeout(r, 10));
    // Past the first lease (one wave's timeout plus 30 s): another process may take it.
    clock.advance(31 * SECOND_MS);
    await dispatchWebhooks(t.ctx);
    await first;
    const [delivery] = await deliveries(o, `leadId=${lead.id}`);
    assert.equal(delivery.status, 'delivered', 'the late timeout does not undo the delivery');
    assert.deepEqual(
      delivery.attempts.map((a: { statusCode: number | null }) => a.statusCode).sort(),
      [200, null],
      'both attempts are logged',
    );
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 2, 'and it is not sent a third time');
  });

  it('keeps events past retention until every enabled endpoint took them', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const hook = await endpoint(o);
    await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { eventRetentionDays: 1 });
    await newLead(t.app, o.till);
    clock.advance(2 * DAY_MS);
    await pruneEvents(t.ctx, [o.org.id]);
    assert.equal((await feedEvents(o)).length, 1, 'not yet turned into a delivery: kept');
    await dispatch();
    assert.equal(receiver.at(hook.path).length, 1);
    await pruneEvents(t.ctx, [o.org.id]);
    assert.equal((await feedEvents(o)).length, 0);
  });

  it('prunes finished deliveries past the org’s retention and keeps pending ones', async () => {
    clock.ms = Date.now();
    const o = await newOrg(t.ctx);
    const usual = await newOrg(t.ctx);
    const hook = await endpoint(o);
    const usualHook = await endpoint(usual);
    await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { eventRetentionDays: 1 });
    const delivered = await newLead(t.app, o.till);
    const failing = await newLead(t.app, o.till);
    receiver.answer(`${hook.path}#${failing.id}`, { status: 500 });
    await newLead(t.app, usual.till);
    await dispatch();
    assert.equal(receiver.at(usualHook.path).length, 1);
    const before = await deliveries(o, '');
    assert.deepEqual(
      before.map((d) => [d.leadId, d.status]).sort(),
      [
        [delivered.id, 'delivered'],
        [failing.id, 'pending'],
      ].sort(),
    );

    clock.advance(DAY_MS / 2);
    assert.equal(await pruneDeliveries(t.ctx, [o.org.id, usual.org.id]), 0, 'within retention');
    clock.advance(DAY_MS);
    assert.equal(await pruneDeliveries(t.ctx, [o.org.id, usual.org.id]), 1);
    const after = await deliveries(o, '');
    assert.deepEqual(
      after.map((d) => [d.leadId, d.status]),
      [[failing.id, 'pending']],
      'a pending delivery outlives retention: it still has to reach the endpoint',
    );
    assert.equal(
      (await deliveries(usual, '')).length,
      1,
      'the default retention (7 days) keeps the other org’s log',
    );
  });
});

describe('the sender refuses internal addresses at delivery time', () => {
  const receiver = new Receiver();
  before(() => receiver.start());
  after(() => receiver.stop());
  const allow = (text: string) => parseAllowList(text) as AllowList;

  it('checks the address a name resolves to, and IP literals, unless allowed', async () => {
    const port = new URL(receiver.base).port;
    const send = (url: string, allowed: AllowList) =>
      sendWebhook(url, {}, '{}', { allowed, timeoutMs: 2000 });
    // `localhost` resolves to 127.0.0.1: a name that points inside is refused when it is used.
    const byName = await send(`http://localhost:${port}/rebound`, allow(''));
    assert.match(byName.error ?? '', /internal/);
    const literal = await send(`http://127.0.0.1:${port}/literal`, allow(''));
    assert.match(literal.error ?? '', /internal/);
    assert.equal(receiver.received.length, 0);
    const allowed = await send(`http://localhost:${port}/allowed`, allow('localhost'));
    assert.equal(allowed.statusCode, 200);
    const network = await send(`http://127.0.0.1:${port}/net`, allow('127.0.0.0/8'));
    assert.equal(network.statusCode, 200);
  });

  it('keeps the first 1 KB of an answer without waiting for the rest of its body', async () => {
    // 2 KB of the body, then nothing more: the answer is known, and its log keeps 1 KB.
    const endless = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write(`a${'é'.repeat(1024)}`);
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = endless.address() as AddressInfo;
      const result = await sendWebhook(`http://127.0.0.1:${port}/`, {}, '{}', {
        allowed: allow('127.0.0.1'),
        timeoutMs: 5000,
      });
      assert.equal(result.error, undefined);
      assert.equal(result.statusCode, 200);
      // Byte 1,024 is the first half of an 'é': dropped rather than kept as half a character.
      assert.equal(result.responseBody, `a${'é'.repeat(511)}`);
      assert.ok(result.latencyMs < 5000, 'answered before the timeout');
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('reads and drops the rest of a long answer, keeping its connection for the next send', async () => {
    let connections = 0;
    const verbose = http.createServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/html' });
      response.end('<p>error</p>'.repeat(125)); // 1,500 bytes
    });
    verbose.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => verbose.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = verbose.address() as AddressInfo;
      const allowed = allow('127.0.0.1');
      for (let i = 0; i < 10; i += 1) {
        const result = await sendWebhook(`http://127.0.0.1:${port}/`, {}, '{}', {
          allowed,
          timeoutMs: 5000,
        });
        assert.equal(result.statusCode, 500);
        assert.equal(result.responseBody?.length, 1024);
      }
      // Sent one after the other: a connection closed after each answer would make ten. An
      // answer counts at 1 KB, so the next send may start on a second connection while the
      // rest of the previous answer is still read on the first; neither is closed.
      assert.ok(connections <= 2, `${connections} connections for 10 sends`);
    } finally {
      verbose.closeAllConnections();
      await new Promise((resolve) => verbose.close(resolve));
    }
  });

  it('parses the allow list, refusing what is not a host, an address or a network', () => {
    for (const bad of ['10.0.0.0/33', 'exa mple.com', '1.2.3.4/x', 'http://x']) {
      assert.ok('problem' in parseAllowList(bad), bad);
    }
    const list = allow(' pos.example.internal , 10.20.0.0/16,::1 ');
    assert.equal(list.allows('POS.example.internal'), true);
    assert.equal(list.allows('10.20.3.4'), true);
    assert.equal(list.allows('10.21.0.1'), false);
    assert.equal(list.allows('::1'), true);
    assert.equal(list.allows('::ffff:10.20.0.9'), true);
  });
});
