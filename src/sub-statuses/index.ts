/** What other features may use of sub-statuses/: everything else in the folder is its own. */
export { subStatusExists } from './sub-status.repository.js';
export { addSubStatus, getSubStatuses } from './sub-status.service.js';
export { SUB_STATUS_MAX_LENGTH } from './sub-status.schemas.js';
