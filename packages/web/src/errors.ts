import { CodedError } from "@simplebackup/core";

/** Every dashboard failure a caller can act on has a stable code. */
export type DashboardErrorCode =
  /** `listen` is not `host:port` (or a port alone). */
  | "DASHBOARD_LISTEN_INVALID"
  /** A non-loopback address without TLS or `insecure_http`, or without a named user. */
  | "DASHBOARD_LISTEN_UNSAFE"
  /** The TLS certificate or key file cannot be read. */
  | "DASHBOARD_TLS_UNREADABLE"
  /** The address is taken or not ours to bind. */
  | "DASHBOARD_LISTEN_FAILED"
  /** The login token in the state folder cannot be read or written. */
  | "DASHBOARD_TOKEN_UNAVAILABLE"
  /** A user entry has no name or a password hash this version cannot read. */
  | "DASHBOARD_USER_INVALID"
  /** No dashboard is running for this state folder (`simplebackup ui`). */
  | "DASHBOARD_NOT_RUNNING";

export class DashboardError extends CodedError<DashboardErrorCode> {
  override name = "DashboardError";
}

export function isDashboardError(error: unknown): error is DashboardError {
  return error instanceof DashboardError;
}
