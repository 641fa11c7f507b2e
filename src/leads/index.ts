/** What other features may use of leads/: everything else in the folder is its own. */
export { insertStatusLogs } from './history.repository.js';
export { addFollowUp } from './use-cases/add-follow-up.js';
export { changeStatus } from './use-cases/change-status.js';
export { createLead } from './use-cases/create-lead.js';
export { getLead } from './use-cases/get-lead.js';
export { searchLeads } from './use-cases/search-leads.js';
export { todayOf } from './use-cases/today.js';
export { updateLeadFields } from './use-cases/update-lead.js';
export type { FollowUp, Lead, LeadListQuery, StatusLog } from './lead.schemas.js';
export { etagOf } from './lead.mapper.js';
export { recordStatusChanges } from './lead.events.js';
export { entitySubtree } from './lead.repository.js';
