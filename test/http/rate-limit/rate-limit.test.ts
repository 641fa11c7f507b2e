import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { createTestApp, TEST_STORE, TestClock, type TestApp } from '../../helpers/app.js';
import { basicAuth, newOrg, send, unique, type Login } from '../../helpers/factories.js';
import { assertError } from '../../helpers/fixtures.js';
import { createOauthClient } from '../../../src/auth/oauth.service.js';
import { setOrgSettingsByName } from '../../../src/orgs/org-settings.service.js';
import { MemoryCounterStore } from '../../../src/rate-limit/counter-store.js';

/** An authenticated route every log-in entity may call. */
const PROBE = '/v2/leads/reasons';
const TOKEN_ROUTE = '/v3/oauth/token/generate';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

type Response = Awaited<ReturnType<typeof send>>;

/** A GET of the probe route as `who`, from `ip`. */
async function probe(app: FastifyInstance, who: { headers: Record<string, string> }, ip?: string) {
  const response = await app.inject({
    method: 'GET',
    url: PROBE,
    headers: who.headers,
    ...(ip === undefined ? {} : { remoteAddress: ip }),
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.json<any>(),
    raw: response.body,
  };
}

function withPassword(login: Login, password: string) {
  return { headers: { authorization: basicAuth(login.code, password) } };
}

/** Asserts the RateLimit headers of an authenticated response. */
function assertRateLimitHeaders(response: Response, limit: number, remaining: number): void {
  assert.equal(response.headers['ratelimit-limit'], String(limit));
  assert.equal(response.headers['ratelimit-remaining'], String(remaining));
  const reset = Number(response.headers['ratelimit-reset']);
  assert.ok(Number.isInteger(reset) && reset >= 1 && reset <= 60, `reset ${reset}`);
}

/** Asserts a 429 in the contract's envelope with a whole number of seconds in Retry-After. */
function assertTooMany(response: Response, field: string, maxSeconds: number): void {
  assertError(response, 429, 'TOO_MANY_REQUESTS', field);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxSeconds,
    `Retry-After ${String(response.headers['retry-after'])}`,
  );
}

/** The two counter stores: in-process memory, and Redis with a key prefix of its own. */
const STORES: Array<{ name: string; env: () => Record<string, string> }> = [
  { name: 'memory', env: () => ({}) },
  {
    name: 'redis',
    env: () => ({ REDIS_URL, RATE_LIMIT_REDIS_PREFIX: `${unique('leadline-test')}:` }),
  },
];

for (const counters of STORES) {
  describe(`rate limits (${TEST_STORE}, ${counters.name} counters)`, () => {
    /** An app on a stopped clock, with `env` over the store's settings. */
    async function appWith(env: Record<string, string>, clock = new TestClock()) {
      const t = await createTestApp({ clock, env: { ...counters.env(), ...env } });
      return { t, clock };
    }

    describe('per credential', () => {
      let t: TestApp;
      let clock: TestClock;
      before(async () => {
        ({ t, clock } = await appWith({ RATE_LIMIT_PER_MINUTE: '5' }));
      });
      after(async () => {
        await t.close();
      });

      it('counts down in RateLimit headers, then answers 429 with Retry-After in the envelope', async () => {
        const o = await newOrg(t.ctx);
        for (let remaining = 4; remaining >= 0; remaining -= 1) {
          const response = await send(t.app, o.till, 'GET', PROBE);
          assert.equal(response.status, 200, response.raw);
          assertRateLimitHeaders(response, 5, remaining);
        }
        const limited = await send(t.app, o.till, 'GET', PROBE);
        assertTooMany(limited, '5 requests per minute', 60);
        assertRateLimitHeaders(limited, 5, 0);
        // A write over the limit is refused before it is read, and changes nothing.
        const write = await send(t.app, o.till, 'POST', PROBE, [{ reason: 'Over the limit' }]);
        assertTooMany(write, '5 requests per minute', 60);

        clock.advance(60_000);
        const next = await send(t.app, o.till, 'GET', PROBE);
        assert.equal(next.status, 200, next.raw);
        assertRateLimitHeaders(next, 5, 4);
        assert.ok(!next.body.data.some((r: any) => r.reason === 'Over the limit'));
      });

      it('says when the window resets, in seconds of the clock', async () => {
        const o = await newOrg(t.ctx);
        clock.ms = Math.floor(clock.ms / 60_000) * 60_000 + 45_500;
        for (let i = 0; i < 5; i += 1) await send(t.app, o.till, 'GET', PROBE);
        const limited = await send(t.app, o.till, 'GET', PROBE);
        assert.equal(limited.status, 429);
        assert.equal(limited.headers['retry-after'], '15');
        assert.equal(limited.headers['ratelimit-reset'], '15');
      });

      it('limits each credential alone: another till, the associate and another org go on', async () => {
        const o = await newOrg(t.ctx);
        const otherTill = await o.entity('TILL', o.store, true);
        const other = await newOrg(t.ctx);
        for (let i = 0; i < 5; i += 1) await send(t.app, o.till, 'GET', PROBE);
        assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 429);

        for (const who of [otherTill, o.associate, other.till]) {
          const response = await send(t.app, who, 'GET', PROBE);
          assert.equal(response.status, 200, response.raw);
          assertRateLimitHeaders(response, 5, 4);
        }
      });

      it('counts an OAuth token of an entity with its Basic credentials: one entity, one budget', async () => {
        const o = await newOrg(t.ctx);
        const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.till.code });
        const generated = await send(t.app, undefined, 'POST', TOKEN_ROUTE, client);
        assert.equal(generated.status, 200, generated.raw);
        const token = { headers: { 'x-cap-api-oauth-token': generated.body.data.accessToken } };
        for (let i = 0; i < 3; i += 1) await send(t.app, o.till, 'GET', PROBE);
        assertRateLimitHeaders(await send(t.app, token, 'GET', PROBE), 5, 1);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 5, 0);
        assertTooMany(await send(t.app, token, 'GET', PROBE), 'requests per minute', 60);
      });

      it('puts the headers on authenticated errors too, and none on a 401', async () => {
        const o = await newOrg(t.ctx);
        const forbidden = await send(t.app, o.till, 'GET', '/v2/admin/settings');
        assert.equal(forbidden.status, 403);
        assertRateLimitHeaders(forbidden, 5, 4);
        const unauthorized = await send(t.app, undefined, 'GET', PROBE);
        assert.equal(unauthorized.status, 401);
        assert.equal(unauthorized.headers['ratelimit-limit'], undefined);
      });
    });

    describe('the org setting rateLimitPerMinute', () => {
      let t: TestApp;
      before(async () => {
        ({ t } = await appWith({
          RATE_LIMIT_PER_MINUTE: '6',
          RATE_LIMIT_ORG_MAX_PER_MINUTE: '10',
        }));
      });
      after(async () => {
        await t.close();
      });

      it('is bounded by the operator: an org cannot set more than the ceiling', async () => {
        const o = await newOrg(t.ctx);
        const put = (body: unknown) => send(t.app, o.admin, 'PUT', '/v2/admin/settings', body);
        for (const value of [11, 1_000_000]) {
          assertError(
            await put({ rateLimitPerMinute: value }),
            400,
            'FIELD_INVALID_VALUE',
            'rateLimitPerMinute must be an integer from 1 to 10',
          );
        }
        assert.equal(
          (await send(t.app, o.admin, 'GET', '/v2/admin/settings')).body.rateLimitPerMinute,
          null,
        );
        await assert.rejects(
          setOrgSettingsByName(t.ctx, { org: o.org.name, rateLimit: '11' }),
          /from 1 to 10/,
        );
        assert.equal((await put({ rateLimitPerMinute: 10 })).status, 200);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 10, 9);
        // A value stored before the operator lowered the ceiling counts only up to the ceiling.
        await t.ctx.store.transaction((trx) =>
          trx
            .updateTable('orgs')
            .set({ rate_limit_per_minute: 1_000_000 })
            .where('id', '=', o.org.id)
            .execute(),
        );
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 10, 8);
      });

      it('overrides the default for the org only, and null brings the default back', async () => {
        const o = await newOrg(t.ctx);
        const other = await newOrg(t.ctx);
        const initial = await send(t.app, o.admin, 'GET', '/v2/admin/settings');
        assert.equal(initial.body.rateLimitPerMinute, null);

        const set = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
          rateLimitPerMinute: 3,
        });
        assert.equal(set.status, 200, set.raw);
        assert.deepEqual(set.body, {
          autoCloseDays: null,
          countryCode: null,
          rateLimitPerMinute: 3,
          requireIfMatch: false,
          eventRetentionDays: null,
          timeZone: null,
          warnings: [],
        });
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 3, 2);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 3, 1);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 3, 0);
        assertTooMany(await send(t.app, o.till, 'GET', PROBE), '3 requests per minute', 60);
        assertRateLimitHeaders(await send(t.app, other.till, 'GET', PROBE), 6, 5);

        // The admin's third request this minute; the raised limit applies at once.
        const raised = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
          rateLimitPerMinute: null,
        });
        assert.equal(raised.status, 200, raised.raw);
        assert.equal(raised.body.rateLimitPerMinute, null);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 6, 1);

        const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=1');
        assert.deepEqual(audit.body.data[0].details, {
          before: { autoCloseDays: null, countryCode: null, rateLimitPerMinute: 3 },
          after: { autoCloseDays: null, countryCode: null, rateLimitPerMinute: null },
        });
      });

      it('refuses limits that are not a positive integer', async () => {
        const o = await newOrg(t.ctx);
        const put = (body: unknown) => send(t.app, o.admin, 'PUT', '/v2/admin/settings', body);
        assertError(await put({ rateLimitPerMinute: 0 }), 400, 'FIELD_INVALID_VALUE', 'rateLimit');
        assertError(await put({ rateLimitPerMinute: 1.5 }), 400, 'FIELD_INVALID_TYPE', 'rateLimit');
        assertError(await put({ rateLimitPerMinute: '9' }), 400, 'FIELD_INVALID_TYPE', 'rateLimit');
        const settings = await send(t.app, o.admin, 'GET', '/v2/admin/settings');
        assert.equal(settings.body.rateLimitPerMinute, null);
      });

      it('is set by the leadline CLI with --rate-limit', async () => {
        const o = await newOrg(t.ctx);
        const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
        if (TEST_STORE === 'postgres') env.DATABASE_URL = t.config.databaseUrl;
        else {
          delete env.DATABASE_URL;
          env.DATA_DIR = t.config.dataDir;
        }
        const args = ['dist/cli/main.js', 'org', 'set', '--org', o.org.name, '--rate-limit', '7'];
        const run = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(JSON.parse(run.stdout).rateLimitPerMinute, 7);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 7, 6);
        // The CLI is bounded by the same ceiling, from its own environment.
        const over = spawnSync(process.execPath, [...args.slice(0, -1), '601'], {
          env: { ...env, RATE_LIMIT_PER_MINUTE: '600' },
          encoding: 'utf8',
        });
        assert.equal(over.status, 2, over.stderr);
        assert.match(JSON.parse(over.stderr).error.message, /from 1 to 600/);
      });

      it('is set from the command line with --rate-limit N|default', async () => {
        const o = await newOrg(t.ctx);
        const set = await setOrgSettingsByName(t.ctx, { org: o.org.name, rateLimit: '3' });
        assert.equal(set.rateLimitPerMinute, 3);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 3, 2);
        const cleared = await setOrgSettingsByName(t.ctx, {
          org: o.org.name,
          rateLimit: 'default',
        });
        assert.equal(cleared.rateLimitPerMinute, null);
        assertRateLimitHeaders(await send(t.app, o.till, 'GET', PROBE), 6, 4);
        await assert.rejects(
          setOrgSettingsByName(t.ctx, { org: o.org.name, rateLimit: 'lots' }),
          /--rate-limit/,
        );
      });
    });

    describe('failed log-ins', () => {
      let t: TestApp;
      let clock: TestClock;
      before(async () => {
        ({ t, clock } = await appWith({
          LOGIN_FAILURES_PER_5_MINUTES: '3',
          LOGIN_FAILURES_PER_IP_PER_5_MINUTES: '6',
          LOGIN_FAILURES_PER_USERNAME_PER_5_MINUTES: '5',
        }));
      });
      after(async () => {
        await t.close();
      });

      it('refuses a username after its failures, even with the right password, until the window passes', async () => {
        const o = await newOrg(t.ctx);
        const ip = '198.51.100.1';
        for (let i = 0; i < 3; i += 1) {
          assert.equal((await probe(t.app, withPassword(o.till, 'wrong-guess'), ip)).status, 401);
        }
        const blocked = await probe(t.app, o.till, ip);
        assertTooMany(blocked, 'failed log-ins for this username from this address', 300);
        // The till itself, from its own address, is not locked out by a stranger's guesses.
        assert.equal((await probe(t.app, o.till, '198.51.100.2')).status, 200);
        // Other users behind the same address are not locked out by one user's failures.
        assert.equal((await probe(t.app, o.associate, ip)).status, 200);

        clock.advance(5 * 60_000);
        assert.equal((await probe(t.app, o.till, ip)).status, 200);
      });

      it('limits a username across addresses, but never for an address that logged in as it', async () => {
        const o = await newOrg(t.ctx);
        const home = '192.0.2.200';
        assert.equal((await probe(t.app, o.till, home)).status, 200);
        // Five failures from five addresses: a distributed guess reaches the username's limit.
        for (let i = 0; i < 5; i += 1) {
          const guess = await probe(t.app, withPassword(o.till, `guess-${i}`), `192.0.2.${i + 1}`);
          assert.equal(guess.status, 401);
        }
        // A sixth, new address is refused without its secret being verified...
        assertTooMany(
          await probe(t.app, withPassword(o.till, 'guess-6'), '192.0.2.99'),
          'failed log-ins for this username from new addresses',
          300,
        );
        assertTooMany(await probe(t.app, o.till, '192.0.2.98'), 'from new addresses', 300);
        // ...while the till's own address, known from its earlier log-in, still gets in.
        assert.equal((await probe(t.app, o.till, home)).status, 200);
        clock.advance(5 * 60_000);
        assert.equal((await probe(t.app, o.till, '192.0.2.98')).status, 200);
      });

      it('verifies at most the limit under 200 concurrent guesses, and a cold log-in still gets in', async () => {
        const o = await newOrg(t.ctx);
        const ip = '198.51.100.77';
        const guesses = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            probe(t.app, withPassword(o.till, `concurrent-${i}`), ip),
          ),
        );
        const statuses = guesses.map((g) => g.status);
        const verifications = statuses.filter((s) => s === 401).length;
        // Only 3 (the limit for this username and address) were ever verified; the rest were
        // refused before verification, by the reservation or the cap on verifications at once.
        assert.ok(verifications <= 3, `${verifications} guesses were verified`);
        assert.equal(statuses.filter((s) => s === 429).length, 200 - verifications);
        assert.equal(statuses.filter((s) => s !== 401 && s !== 429).length, 0);
        // Another user, never logged in before (a cold verification), gets in.
        assert.equal((await probe(t.app, o.associate, '198.51.100.78')).status, 200);
      });

      it('lets a till that opens with 30 parallel requests in: one shared verification', async () => {
        const o = await newOrg(t.ctx);
        const { stats } = t.ctx.verificationCache;
        const before = { ...stats };
        const answers = await Promise.all(
          Array.from({ length: 30 }, () => probe(t.app, o.till, '198.51.100.90')),
        );
        // None was refused by the cap on verifications at once: every request looked in the
        // cache, and those that missed it (all of them, unless the verification ended before the
        // last looked) shared one verification.
        assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
        assert.equal(stats.hits + stats.misses - (before.hits + before.misses), 30);
        assert.equal(stats.verifications - before.verifications, 1);
      });

      it('keeps failures counted after a success: a success resets nothing', async () => {
        const o = await newOrg(t.ctx);
        const ip = '198.51.100.3';
        await probe(t.app, withPassword(o.till, 'wrong-1'), ip);
        await probe(t.app, withPassword(o.till, 'wrong-2'), ip);
        assert.equal((await probe(t.app, o.till, ip)).status, 200);
        assert.equal((await probe(t.app, withPassword(o.till, 'wrong-3'), ip)).status, 401);
        assert.equal((await probe(t.app, o.till, ip)).status, 429);
      });

      it('refuses an address after its failures over many usernames; tokens still work from it', async () => {
        const o = await newOrg(t.ctx);
        const client = await createOauthClient(t.ctx, {
          org: o.org.name,
          entity: o.associate.code,
        });
        const generated = await send(t.app, undefined, 'POST', TOKEN_ROUTE, client);
        const token = { headers: { 'x-cap-api-oauth-token': generated.body.data.accessToken } };
        const ip = '198.51.100.4';
        for (let i = 0; i < 6; i += 1) {
          const guess = { headers: { authorization: basicAuth(unique('nobody'), 'guess') } };
          assert.equal((await probe(t.app, guess, ip)).status, 401);
        }
        assertTooMany(await probe(t.app, o.till, ip), 'failed log-ins from this address', 300);
        assert.equal((await probe(t.app, o.till, '198.51.100.5')).status, 200);
        assert.equal((await probe(t.app, token, ip)).status, 200);
      });

      it('limits POST /v3/oauth/token/generate per client key and per address', async () => {
        const o = await newOrg(t.ctx);
        const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.till.code });
        const other = await createOauthClient(t.ctx, { org: o.org.name, entity: o.associate.code });
        const generate = (body: unknown, ip: string) =>
          t.app
            .inject({
              method: 'POST',
              url: TOKEN_ROUTE,
              payload: body as object,
              remoteAddress: ip,
            })
            .then((r) => ({
              status: r.statusCode,
              headers: r.headers,
              body: r.json<any>(),
              raw: r.body,
            }));
        for (let i = 0; i < 3; i += 1) {
          const wrong = await generate({ key: client.key, secret: 'not-it' }, '203.0.113.1');
          assert.equal(wrong.status, 401);
        }
        assertTooMany(
          await generate(client, '203.0.113.1'),
          'failed log-ins for this client key from this address',
          300,
        );
        // Its owner elsewhere is not locked out.
        assert.equal((await generate(client, '203.0.113.9')).status, 200);
        assert.equal((await generate(other, '203.0.113.1')).status, 200);

        const ip = '203.0.113.20';
        for (let i = 0; i < 6; i += 1) {
          await generate({ key: unique('ll_unknown'), secret: 'guess' }, ip);
        }
        assertTooMany(await generate(other, ip), 'from this address', 300);

        clock.advance(5 * 60_000);
        assert.equal((await generate(client, '203.0.113.9')).status, 200);
        assert.equal((await generate(other, ip)).status, 200);
      });
    });
  });
}

describe(`rate limits shared through Redis by two app instances (${TEST_STORE})`, () => {
  let a: TestApp;
  let b: TestApp;
  const clock = new TestClock();
  before(async () => {
    const env = {
      REDIS_URL,
      RATE_LIMIT_REDIS_PREFIX: `${unique('leadline-test')}:`,
      RATE_LIMIT_PER_MINUTE: '4',
      LOGIN_FAILURES_PER_5_MINUTES: '2',
    };
    a = await createTestApp({ clock, env });
    // On SQLite the second instance opens the first one's database file.
    b = await createTestApp({
      clock,
      env: TEST_STORE === 'sqlite' ? { ...env, DATA_DIR: a.config.dataDir } : env,
    });
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  it('counts one credential’s requests to both instances against one limit', async () => {
    const o = await newOrg(a.ctx);
    assertRateLimitHeaders(await send(a.app, o.till, 'GET', PROBE), 4, 3);
    assertRateLimitHeaders(await send(b.app, o.till, 'GET', PROBE), 4, 2);
    assertRateLimitHeaders(await send(a.app, o.till, 'GET', PROBE), 4, 1);
    assertRateLimitHeaders(await send(b.app, o.till, 'GET', PROBE), 4, 0);
    assertTooMany(await send(a.app, o.till, 'GET', PROBE), 'requests per minute', 60);
    assertTooMany(await send(b.app, o.till, 'GET', PROBE), 'requests per minute', 60);
    assert.equal((await send(b.app, o.associate, 'GET', PROBE)).status, 200);
  });

  it('counts failed log-ins on one instance on the other', async () => {
    const o = await newOrg(a.ctx);
    assert.equal((await send(a.app, withPassword(o.till, 'wrong'), 'GET', PROBE)).status, 401);
    assert.equal((await send(b.app, withPassword(o.till, 'wrong'), 'GET', PROBE)).status, 401);
    assertTooMany(await send(a.app, o.till, 'GET', PROBE), 'failed log-ins', 300);
  });
});

describe(`rate limits when Redis is unreachable (${TEST_STORE})`, () => {
  let t: TestApp;
  before(async () => {
    // Nothing listens on port 1: every counter operation fails.
    t = await createTestApp({
      env: { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_MINUTE: '1' },
    });
  });
  after(async () => {
    await t.close();
  });

  it('lets requests through (fails open) without RateLimit headers, and closes cleanly', async () => {
    const o = await newOrg(t.ctx);
    for (let i = 0; i < 3; i += 1) {
      const response = await send(t.app, o.till, 'GET', PROBE);
      assert.equal(response.status, 200, response.raw);
      assert.equal(response.headers['ratelimit-limit'], undefined);
    }
    assert.equal((await send(t.app, withPassword(o.till, 'wrong'), 'GET', PROBE)).status, 401);
  });
});

describe('the in-process counter store', () => {
  it('forgets expired counters and holds at most its bound', async () => {
    const store = new MemoryCounterStore(3);
    assert.equal(await store.increment('a', 1000, 0), 1);
    assert.equal(await store.increment('a', 1000, 10), 2);
    assert.equal(await store.read('a', 999), 2);
    assert.equal(await store.read('a', 1000), 0);
    assert.equal(await store.increment('a', 2000, 1000), 1);
    await store.increment('b', 2000, 1000);
    await store.increment('c', 2000, 1000);
    await store.increment('d', 2000, 1000);
    assert.equal(store.size, 3);
    // The oldest counter went to make room.
    assert.equal(await store.read('a', 1000), 0);
    assert.equal(await store.read('d', 1000), 1);
    await store.close();
  });
});
