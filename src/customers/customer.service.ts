import { pathId } from '../core/path-id.js';
import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import type { Db } from '../db/database.js';
import { AppError, FieldErrors } from '../core/errors.js';
import { customerRowToCustomer } from './customer.mapper.js';
import {
  findCustomerById,
  findCustomerByIdentifier,
  findOrgCountryCode,
  type IdentifierColumn,
} from './customer.repository.js';
import type { Customer, CustomerLookupQuery } from './customer.schemas.js';
import { normaliseEmail, normaliseMobile, type IdType } from './identifier.js';

/**
 * Customers: identifiers normalised the same way for creating a lead and for looking a customer
 * up, and reads of one customer with its leads count. Another org's customer is one that does
 * not exist.
 */

/** A normalised identifier: the customers column it lives in and its stored form. */
export type CustomerKey = { column: IdentifierColumn; value: string };

/**
 * The stored form of `identifier` for the org, or undefined after adding a 400 naming
 * `identifier` to `errors`. Mobiles without an international prefix are read in the org's
 * country.
 *
 * @example await normaliseIdentifier(db, orgId, 'MOBILE', '098450 12345', errors) // org in IN: { column: 'mobile', value: '+919845012345' }
 */
export async function normaliseIdentifier(
  db: Db,
  orgId: number,
  idType: IdType,
  identifier: string,
  errors: FieldErrors,
): Promise<CustomerKey | undefined> {
  if (idType === 'EMAIL') {
    const value = normaliseEmail(identifier);
    if (value === undefined) {
      errors.add('FIELD_INVALID_EMAIL', 'identifier is not a valid email address');
    }
    return value === undefined ? undefined : { column: 'email', value };
  }
  const country = await findOrgCountryCode(db, orgId);
  const value = normaliseMobile(identifier, country);
  if (value === undefined) {
    errors.add(
      'FIELD_INVALID_MOBILE',
      country === null
        ? 'identifier is not a valid mobile number (give it with its country code)'
        : `identifier is not a valid mobile number (without + or 00 it is read as a number of ${country})`,
    );
  }
  return value === undefined ? undefined : { column: 'mobile', value };
}

function customerNotFound(id: number | string): AppError {
  return AppError.of('CUSTOMER_NOT_FOUND', `customer ${id} does not exist`);
}

/**
 * For the `{id}` path of a customer route, before its other input errors are reported: anything
 * that is not an id of the caller's org's customers is a customer that does not exist.
 */
export async function requireCustomerPath(
  ctx: AppContext,
  caller: Caller,
  rawId: string,
): Promise<void> {
  const id = pathId(rawId);
  if (id === undefined) throw customerNotFound(rawId.slice(0, 40));
  if (!(await findCustomerById(ctx.store.db, caller.orgId, id))) throw customerNotFound(id);
}

/**
 * The caller's org's customer `id` with its leads count, or CUSTOMER_NOT_FOUND.
 *
 * @example await getCustomer(ctx, caller, 880021) // { id: 880021, mobile: '+919845012345', createdOn, leadsCount: 2 }
 */
export async function getCustomer(ctx: AppContext, caller: Caller, id: number): Promise<Customer> {
  const row = await findCustomerById(ctx.store.db, caller.orgId, id);
  if (!row) throw customerNotFound(id);
  return customerRowToCustomer(row);
}

/**
 * The caller's org's customer with this identifier, normalised as on lead creation; a malformed
 * identifier is a 400 and an unknown one CUSTOMER_NOT_FOUND. Never creates a customer.
 *
 * @example await lookUpCustomer(ctx, caller, { idType: 'EMAIL', identifier: 'Ann@Example.com' })
 */
export async function lookUpCustomer(
  ctx: AppContext,
  caller: Caller,
  query: CustomerLookupQuery,
): Promise<Customer> {
  const { db } = ctx.store;
  const errors = new FieldErrors();
  const key = await normaliseIdentifier(db, caller.orgId, query.idType, query.identifier, errors);
  errors.throwIfAny();
  if (!key) throw new Error('identifier normalised without a value or an error');
  const row = await findCustomerByIdentifier(db, caller.orgId, key.column, key.value);
  if (!row) {
    // The identifier is not echoed: the answer is the same whatever was asked for, and a
    // shopper's email or phone number stays out of client logs.
    throw AppError.of(
      'CUSTOMER_NOT_FOUND',
      `identifier: no customer with this ${query.idType} in this org`,
    );
  }
  return customerRowToCustomer(row);
}
