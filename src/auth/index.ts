/** What other features may use of auth/: everything else in the folder is its own. */
export { authenticatePassword, splitBasic, TOKEN_HEADER } from './authenticate.js';
export { authenticationPlugin } from './authentication.plugin.js';
export {
  addOauthClient,
  listOauthClients,
  revokeOauthClient,
  type OauthClientView,
} from './oauth.service.js';
