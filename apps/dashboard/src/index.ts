// @celers/dashboard: the web dashboard (JSON API + single-page UI) over a celers database.
export { type ApiErrorBody, DashboardError, DashboardErrorCode, toApiError } from './api/api-error.js';
export { createDashboardApp, type Dashboard, MAX_BODY_BYTES } from './dashboard-app.js';
export {
  type CelersKysely,
  type DashboardAuth,
  type DashboardOptions,
  DEFAULT_MAX_CACHED_QUEUES,
  resolveDashboardOptions,
} from './dashboard-options.js';
export {
  type DashboardServer,
  type DashboardServerOptions,
  DEFAULT_PORT,
  startDashboardServer,
} from './dashboard-server.js';
export { CSRF_HEADER } from './security/csrf-middleware.js';
export { SESSION_COOKIE } from './security/csrf-token.js';
