/** What other features may use of leads/: everything else in the folder is its own. */
export { insertStatusLogs } from './history.repository.js';
