// The public API of @simplebackup/web.

export type { DashboardRoute } from "./app.js";
export type { DashboardAuditEntry } from "./audit.js";
export { describeAuditEntry } from "./audit.js";
export type { DashboardDaemon } from "./context.js";
export { dashboardLoginLink } from "./dashboard-file.js";
export type { DashboardErrorCode } from "./errors.js";
export { DashboardError, isDashboardError } from "./errors.js";
export { DEFAULT_LISTEN } from "./listen.js";
export { SAME_ORIGIN_HEADER } from "./security.js";
export type { DashboardOptions, DashboardServer } from "./server.js";
export { createDashboardServer } from "./server.js";
export type { DashboardUser } from "./users.js";
export { hashPassword } from "./users.js";
