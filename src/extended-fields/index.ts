/** What other features may use of extended-fields/: everything else in the folder is its own. */
export { localiseLeads } from './extended-field.localise.js';
export { checkLeadFieldsOnCreate, checkLeadFieldsOnUpdate } from './extended-field.validation.js';
