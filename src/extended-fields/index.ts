/** What other features may use of extended-fields/: everything else in the folder is its own. */
export { localiseLeads } from './extended-field.localise.js';
export { checkLeadFieldsOnCreate, checkLeadFieldsOnUpdate } from './extended-field.validation.js';
export { getDefinitions } from './extended-field.service.js';
export type { FieldDefinition } from './extended-field.schemas.js';
