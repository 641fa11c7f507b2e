/** What other features may use of audit/: everything else in the folder is its own. */
export { recordAudit } from './audit.repository.js';
export { AuditEntry, AuditList, AuditQuery } from './audit.schemas.js';
export { listAuditEntries } from './audit.service.js';
