/** What the app uses of web/: the web app's routes. */
export { WEB_PREFIX, webRoutes } from './web.routes.js';
