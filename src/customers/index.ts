/** What other features may use of customers/: everything else in the folder is its own. */
export { customerExists, findOrCreateCustomer } from './customer.repository.js';
export { lookUpCustomer, normaliseIdentifier } from './customer.service.js';
