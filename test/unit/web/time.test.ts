import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instantOfLocal, localDayOf, localInputValue, showInstant } from '../../../src/web/time.js';

describe('the web app’s local date-times', () => {
  it('reads a wall-clock time in the org’s zone, and shows an instant back in it', () => {
    const ms = instantOfLocal('2026-03-05T10:30', 'Asia/Kolkata');
    assert.equal(ms, Date.parse('2026-03-05T05:00:00Z'));
    assert.equal(localInputValue(ms, 'Asia/Kolkata'), '2026-03-05T10:30');
    assert.equal(
      instantOfLocal('2026-07-01T09:00', 'America/New_York'),
      Date.parse('2026-07-01T13:00:00Z'),
    );
    assert.equal(
      instantOfLocal('2026-01-01T09:00', 'America/New_York'),
      Date.parse('2026-01-01T14:00:00Z'),
    );
    assert.equal(showInstant('2026-03-02T16:30:00Z', 'Asia/Kolkata'), '2 Mar 2026, 22:00');
  });

  it('reads a time the clocks skip with the offset before the gap, and a repeated one once', () => {
    // New York skipped 02:00-03:00 on 8 March 2026: 02:30 is read as 02:30 EST, 07:30 UTC.
    assert.equal(
      instantOfLocal('2026-03-08T02:30', 'America/New_York'),
      Date.parse('2026-03-08T07:30:00Z'),
    );
    // 01:30 happened twice on 1 November 2026: one of the two instants, shown back as 01:30.
    const repeated = instantOfLocal('2026-11-01T01:30', 'America/New_York');
    assert.ok(
      repeated === Date.parse('2026-11-01T05:30:00Z') ||
        repeated === Date.parse('2026-11-01T06:30:00Z'),
    );
    assert.equal(localInputValue(repeated, 'America/New_York'), '2026-11-01T01:30');
  });

  it('refuses what is not a date-time', () => {
    for (const bad of [
      '2026-02-30T10:00',
      '2026-13-01T10:00',
      '2026-01-01T24:00',
      '2026-01-01',
      'x',
    ]) {
      assert.equal(instantOfLocal(bad, 'UTC'), undefined, bad);
    }
  });

  it('knows the org’s day: from its local midnight to the next, 23 hours on the day clocks go forward', () => {
    assert.deepEqual(localDayOf(Date.parse('2026-03-05T17:00:00Z'), 'America/New_York'), {
      start: Date.parse('2026-03-05T05:00:00Z'),
      end: Date.parse('2026-03-06T05:00:00Z'),
    });
    // 03:00 UTC on the 5th is still the 4th in New York.
    assert.equal(
      localDayOf(Date.parse('2026-03-05T03:00:00Z'), 'America/New_York').start,
      Date.parse('2026-03-04T05:00:00Z'),
    );
    const spring = localDayOf(Date.parse('2026-03-08T12:00:00Z'), 'America/New_York');
    assert.equal(spring.end - spring.start, 23 * 3_600_000);
  });
});
