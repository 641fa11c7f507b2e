import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';

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
});
