import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { AppError, ErrorCatalogue } from '../../../src/core/errors.js';
import { checkInput } from '../../../src/http/validation.js';
import { SettingsBody } from '../../../src/orgs/index.js';
import { EntityCreateBody } from '../../../src/entities/index.js';

function failureOf(schema: Parameters<typeof checkInput>[0], value: unknown): AppError {
  try {
    checkInput(schema, value);
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('the input was accepted');
}

describe('input validation', () => {
  it('accepts what the schema accepts, and leaves it as it is', () => {
    const change = { autoCloseDays: 14, countryCode: null };
    checkInput(SettingsBody, change);
    assert.deepEqual(change, { autoCloseDays: 14, countryCode: null });
  });

  it('lists every bad field once, in words, with the catalogue code of each failure', () => {
    const error = failureOf(EntityCreateBody, { type: 'KIOSK', code: 'has space', password: 5 });
    assert.equal(error.statusCode, 400);
    const byMessage = new Map(error.items.map((i) => [i.message.split(' ')[0], i]));
    assert.deepEqual([...byMessage.keys()].sort(), ['code', 'password', 'type']);
    assert.match(byMessage.get('type')?.message ?? '', /^type must be one of ZONE, CONCEPT/);
    assert.equal(byMessage.get('password')?.code, ErrorCatalogue.FIELD_INVALID_TYPE.code);
    assert.equal(byMessage.get('code')?.code, ErrorCatalogue.FIELD_INVALID_VALUE.code);
  });

  it('checks bodies strictly: text is not a number', () => {
    const error = failureOf(SettingsBody, { autoCloseDays: '14' });
    assert.equal(error.items[0]?.message, 'autoCloseDays must be a whole number or null');
  });

  it('names a missing field and the limits of a number', () => {
    const Page = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000 }) });
    assert.equal(failureOf(Page, {}).items[0]?.message, 'limit is required');
    assert.equal(failureOf(Page, { limit: 0 }).items[0]?.message, 'limit must be at least 1');
    assert.equal(failureOf(Page, { limit: NaN }).items[0]?.message, 'limit must be a whole number');
  });
});
