/** What other features may use of audit/: everything else in the folder is its own. */
export { listAudit, recordAudit } from './audit.repository.js';
