/** What other features may use of reasons/: everything else in the folder is its own. */
export {
  SYSTEM_REASONS,
  findReasonByText,
  findReasonsByIds,
  insertReason,
} from './reason.repository.js';
export {
  addReasons,
  changeReason,
  changeReasonFromCli,
  getAdminReasons,
  getReasons,
} from './reason.service.js';
export { REASON_MAX_LENGTH } from './reason.schemas.js';
