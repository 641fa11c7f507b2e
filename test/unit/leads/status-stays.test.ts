import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stayFactsAfter, type StayFacts } from '../../../src/db/status-stays.js';
import type { LeadStatus } from '../../../src/db/schema.js';

const H = 3_600_000;
const row = (status: LeadStatus, hours: number) => ({ status, created_on: hours * H });
const none = {
  stayed_open_ms: null,
  stayed_on_hold_ms: null,
  stayed_won_ms: null,
  stayed_lost_ms: null,
  stayed_deleted_ms: null,
};

describe('stay facts', () => {
  it('start a new lead in its last status, counting no stay of the rows given together', () => {
    assert.deepEqual(stayFactsAfter(undefined, [row('ON_HOLD', 5), row('OPEN', 5)]), {
      ...none,
      status_since: 5 * H,
    });
  });

  it('add up a lead’s stays in one status, and let a status set again continue its stay', () => {
    let facts: StayFacts & { status: LeadStatus } = {
      ...stayFactsAfter(undefined, [row('OPEN', 0)]),
      status: 'OPEN',
    };
    const step = (status: LeadStatus, hours: number) => {
      facts = { ...stayFactsAfter(facts, [row(status, hours)]), status };
    };
    step('ON_HOLD', 1);
    step('ON_HOLD', 1.5);
    step('OPEN', 2);
    step('OPEN', 3);
    step('WON', 4);
    assert.deepEqual(facts, {
      ...none,
      stayed_open_ms: 3 * H,
      stayed_on_hold_ms: 1 * H,
      status_since: 4 * H,
      status: 'WON',
    });
    // A change back-dated onto the newest row's instant: a stay of no length, not counted.
    step('LOST', 4);
    assert.equal(facts.stayed_won_ms, null);
    assert.equal(facts.status_since, 4 * H);
  });
});
