import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../../src/core/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps array order', () => {
    assert.equal(
      canonicalJson({ b: [2, 1, { z: 1, y: 2 }], a: { d: 1, c: null } }),
      '{"a":{"c":null,"d":1},"b":[2,1,{"y":2,"z":1}]}',
    );
  });

  it('gives two spellings of one body one text, and two bodies two texts', () => {
    const one = JSON.parse('{"leadFor":"SKU-1","extendedFields":{"size":9,"colour":"red"}}');
    const same = JSON.parse('{"extendedFields":{"colour":"red","size":9},"leadFor":"SKU-1"}');
    const other = JSON.parse('{"extendedFields":{"colour":"red","size":10},"leadFor":"SKU-1"}');
    assert.equal(canonicalJson(one), canonicalJson(same));
    assert.notEqual(canonicalJson(one), canonicalJson(other));
  });

  it('writes scalars as JSON does, and nothing at all as null', () => {
    assert.equal(canonicalJson('a"b'), '"a\\"b"');
    assert.equal(canonicalJson(1.5), '1.5');
    assert.equal(canonicalJson(false), 'false');
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(canonicalJson([]), '[]');
    assert.equal(canonicalJson({}), '{}');
  });
});
