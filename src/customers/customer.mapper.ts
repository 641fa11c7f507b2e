import { formatDateTime } from '../core/date-time.js';
import type { CustomerRow } from './customer.repository.js';
import type { Customer } from './customer.schemas.js';

/**
 * The one place a customer row becomes an API object: camelCase, instants as UTC `Z`, absent
 * identifiers left out.
 *
 * @example customerRowToCustomer({ id: 7, email: null, mobile: '+919845012345', created_on: 0, leads_count: 2 })
 */
export function customerRowToCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    ...(row.email === null ? {} : { email: row.email }),
    ...(row.mobile === null ? {} : { mobile: row.mobile }),
    createdOn: formatDateTime(row.created_on),
    leadsCount: row.leads_count,
  };
}
