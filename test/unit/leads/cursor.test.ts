import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CURSOR_MAX_LENGTH,
  decodeLeadCursor,
  encodeLeadCursor,
  filtersHash,
  type LeadCursor,
} from '../../../src/leads/lead.cursor.js';

const filters = filtersHash({ status: 'OPEN' });
const byCreatedOn: LeadCursor = {
  sortBy: 'created_on',
  direction: 'desc',
  after: { key: 1_772_366_400_000, id: 42 },
  filters,
};

describe('lead cursor', () => {
  it('decodes what it encodes, for every sort and direction', () => {
    for (const sortBy of ['id', 'created_on', 'last_updated_on'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const cursor: LeadCursor = {
          sortBy,
          direction,
          after: { key: sortBy === 'id' ? 7 : 1_700_000_000_000, id: 7 },
          filters,
        };
        const text = encodeLeadCursor(cursor);
        assert.match(text, /^[A-Za-z0-9_-]+$/);
        assert.ok(text.length <= CURSOR_MAX_LENGTH);
        assert.deepEqual(decodeLeadCursor(text), cursor);
      }
    }
  });

  it('refuses every string that is not exactly a cursor it issued', () => {
    const text = encodeLeadCursor(byCreatedOn);
    const payload = Buffer.from(text, 'base64url').toString('utf8');
    const encode = (p: string) => Buffer.from(p, 'utf8').toString('base64url');
    for (const bad of [
      '',
      'not a cursor',
      `${text}=`,
      text.slice(0, -2),
      'x'.repeat(CURSOR_MAX_LENGTH + 1),
      encode(payload.replace(/^1\./, '2.')), // another version
      encode(payload.replace('.42.', '.0.')), // id 0
      encode(payload.replace('.42.', '.042.')), // another spelling of 42
      encode('1.ia.5.6.' + filters), // under the id sort the key is the id
    ]) {
      assert.equal(decodeLeadCursor(bad), undefined, bad);
    }
  });

  it('hashes filters by meaning: unset and undefined are one, any value changes it', () => {
    assert.equal(filtersHash({}), filtersHash({ status: undefined, type: undefined }));
    assert.notEqual(filtersHash({ status: 'OPEN' }), filtersHash({ status: 'WON' }));
    assert.notEqual(
      filtersHash({ createdUnder: { type: 'STORE', code: 's1' } }),
      filtersHash({ createdUnder: { type: 'ZONE', code: 's1' } }),
    );
    assert.match(filtersHash({ userId: 5 }), /^[A-Za-z0-9_-]{11}$/);
  });
});
