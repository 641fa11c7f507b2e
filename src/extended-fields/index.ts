/** What other features may use of extended-fields/: everything else in the folder is its own. */
export { localiseLeads } from './extended-field.localise.js';
export { checkLeadFieldsOnCreate, checkLeadFieldsOnUpdate } from './extended-field.validation.js';
export {
  createField,
  fieldNotFound,
  getDefinitions,
  getFieldDetails,
} from './extended-field.service.js';
export { translateField } from './extended-field.translations.js';
export type { FieldDetails } from './extended-field.mapper.js';
export type { FieldDefinition } from './extended-field.schemas.js';
