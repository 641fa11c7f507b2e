/** What other features may use of orgs/: everything else in the folder is its own. */
export { getOrgSettings, updateOrgSettings } from './org-settings.service.js';
export {
  AUTO_CLOSE_DAYS_MAX,
  EVENT_RETENTION_DAYS_MAX,
  RATE_LIMIT_PER_MINUTE_MAX,
  SettingsBody,
  SETTINGS_NAMES,
  SettingsResponse,
  type OrgSettings,
} from './org-settings.schemas.js';
export { findOrgById } from './org.repository.js';
export { requireOrg } from './org.service.js';
