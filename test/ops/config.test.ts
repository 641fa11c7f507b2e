import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../src/core/config.js';
import { AppError, ErrorCatalogue } from '../../src/core/errors.js';
import { postgresHostUrls } from '../../src/db/postgres-url.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.dataDir, './data');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.tokenTtlSeconds, 300);
    assert.equal(config.autoCloseIntervalSeconds, 300);
  });

  it('reads numbers written as numbers, fractions only where allowed', () => {
    const config = loadConfig({ PORT: '9000', AUTO_CLOSE_INTERVAL_SECONDS: '0.5' });
    assert.equal(config.port, 9000);
    assert.equal(config.autoCloseIntervalSeconds, 0.5);
  });

  it('fails loudly on a typo instead of falling back or rounding', () => {
    for (const env of [
      { PORT: '2.5' },
      { PORT: 'eighty' },
      { PG_POOL_SIZE: '0' },
      { AUTO_CLOSE_INTERVAL_SECONDS: 'soon' },
      { LOG_LEVEL: 'verbose' },
      { DATABASE_URL: 'mysql://x' },
    ]) {
      const [key] = Object.keys(env);
      assert.throws(() => loadConfig(env), new RegExp(`invalid environment: .*${key}`));
    }
  });

  it('reads TRUST_PROXY as no proxy, a hop count, or addresses and networks', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(
      loadConfig({ TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8,::1,loopback' }).trustProxy,
      ['127.0.0.1', '10.0.0.0/8', '::1', 'loopback'],
    );
    for (const [value, problem] of [
      ['0', 'from 1 to 10'],
      ['11', 'from 1 to 10'],
      ['true', '"true" is not an IP address'],
      ['10.0.0.0/33', 'prefix length that is not 0 to 32'],
      ['127.0.0.1,proxy.example', '"proxy.example" is not an IP address'],
      ['10.0.0.0/8/1', '"10.0.0.0/8/1" is not an IP address'],
    ] as const) {
      assert.throws(
        () => loadConfig({ TRUST_PROXY: value }),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === ErrorCatalogue.CONFIG_INVALID.code &&
          error.message.includes(`TRUST_PROXY: `) &&
          error.message.includes(problem),
        value,
      );
    }
  });

  it('reads a DATABASE_URL of several hosts, one URL per host, and names a bad host', () => {
    assert.deepEqual(
      postgresHostUrls('postgres://app:s3cret@db1:5441,db2,[::1]:5443/leadline?sslmode=require'),
      [
        'postgres://app:s3cret@db1:5441/leadline?sslmode=require',
        'postgres://app:s3cret@db2/leadline?sslmode=require',
        'postgres://app:s3cret@[::1]:5443/leadline?sslmode=require',
      ],
    );
    assert.deepEqual(postgresHostUrls('postgres://db1:5432/leadline'), [
      'postgres://db1:5432/leadline',
    ]);
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgres://u@a:1,b:2/db' }).databaseUrl,
      'postgres://u@a:1,b:2/db',
    );
    for (const [value, problem] of [
      ['postgres://u@a:1,,b:2/db', 'DATABASE_URL names an empty host (number 2)'],
      [
        'postgres://u@a:1,b:port/db',
        'DATABASE_URL names a host that is not host or host:port: "b:port"',
      ],
    ] as const) {
      assert.throws(
        () => loadConfig({ DATABASE_URL: value }),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === ErrorCatalogue.CONFIG_INVALID.code &&
          error.message.includes(problem),
        value,
      );
    }
  });

  it('says what each bad variable accepts, in words, with the catalogue code CONFIG_INVALID', () => {
    const expected: Array<[env: Record<string, string>, message: string]> = [
      [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535 (got "eighty")'],
      [
        { LOG_LEVEL: 'verbose' },
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
      ],
      [
        { DATABASE_URL: 'mysql://x' },
        'DATABASE_URL must be a PostgreSQL URL, postgres://user@host:5432/database, or of several hosts, postgres://user@db1:5432,db2:5432/database (got "mysql://x")',
      ],
      [{ REDIS_URL: 'localhost' }, 'REDIS_URL must be a Redis URL, redis://host:6379'],
      [{ AUTO_CLOSE_INTERVAL_SECONDS: 'soon' }, 'must be a number from 0 to 86400'],
    ];
    for (const [env, message] of expected) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.code, ErrorCatalogue.CONFIG_INVALID.code);
          assert.ok(error.message.includes(message), error.message);
          assert.doesNotMatch(error.message, /Expected|pattern|union/);
          return true;
        },
      );
    }
  });

  it('makes the CLI print CONFIG_INVALID and exit 1 before touching anything', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'loud' };
    const run = spawnSync(process.execPath, ['dist/cli/main.js', 'migrate'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    const { error } = JSON.parse(run.stderr);
    assert.equal(error.code, 1046);
    assert.match(error.message, /LOG_LEVEL must be one of fatal, error/);
  });
});
