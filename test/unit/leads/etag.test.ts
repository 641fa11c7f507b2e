import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagMatches } from '../../../src/leads/lead.change.js';
import { etagOf } from '../../../src/leads/lead.mapper.js';

describe('lead ETags', () => {
  it('is a strong tag of the lead and its version', () => {
    assert.equal(etagOf({ id: 12, version: 3 }), '"12.3"');
    assert.notEqual(etagOf({ id: 12, version: 3 }), etagOf({ id: 12, version: 4 }));
    assert.notEqual(etagOf({ id: 1, version: 23 }), etagOf({ id: 12, version: 3 }));
  });

  it('matches If-Match holding the tag, a list with it, or *', () => {
    const etag = etagOf({ id: 12, version: 3 });
    assert.equal(etagMatches('"12.3"', etag), true);
    assert.equal(etagMatches('"11.1", "12.3"', etag), true);
    assert.equal(etagMatches(' "12.3" ,"x"', etag), true);
    assert.equal(etagMatches('*', etag), true);
  });

  it('never matches another version, a weak tag or an unquoted one', () => {
    const etag = etagOf({ id: 12, version: 3 });
    assert.equal(etagMatches('"12.2"', etag), false);
    assert.equal(etagMatches('W/"12.3"', etag), false);
    assert.equal(etagMatches('12.3', etag), false);
    assert.equal(etagMatches('', etag), false);
  });
});
