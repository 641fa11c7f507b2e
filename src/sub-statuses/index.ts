/** What other features may use of sub-statuses/: everything else in the folder is its own. */
export { subStatusExists } from './sub-status.repository.js';
export { getSubStatuses } from './sub-status.service.js';
