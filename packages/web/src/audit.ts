import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { DashboardContext } from "./context.js";
import { LOGIN_PATH, remoteAddress } from "./routes/auth.js";

/**
 * One request that a person will want to find later in the daemon's log: a login (or a refused one),
 * a logout, anything that changes something (run, cancel, check, drill, unlock, restore), and each
 * download of backed-up data. The dashboard can read every backed-up file; who did what, from where,
 * belongs in the log, as it would for `simplebackup restore` in a shell history.
 */
export interface DashboardAuditEntry {
  readonly at: Date;
  /** The peer's address, as the socket says. */
  readonly address: string;
  /** The named user, or null for a login link's session and for no session. */
  readonly user: string | null;
  readonly method: string;
  /** The path alone: a login link's query holds its code, and is never logged. */
  readonly path: string;
  /** For a download: the path inside the snapshot that was asked for. */
  readonly item?: string;
  readonly status: number;
}

/** Downloads of backed-up data (a file, or a folder as an archive). */
const DOWNLOAD = /^\/api\/jobs\/[^/]+\/snapshots\/[^/]+\/(file|archive)$/;

function audited(method: string, path: string): boolean {
  if (method !== "GET" && method !== "HEAD") return true;
  return path === LOGIN_PATH || DOWNLOAD.test(path);
}

/** The named user of a session id; null for a link's session, no session or an expired one. */
function userOfSession(context: DashboardContext, id: string | undefined): string | null {
  return context.sessions.touch(id, context.now())?.user ?? null;
}

/** The session a login just made, from its Set-Cookie. */
function madeSession(c: Context, cookieName: string): string | undefined {
  const made = c.res.headers.get("set-cookie");
  return made?.startsWith(`${cookieName}=`) ? made.slice(cookieName.length + 1).split(";")[0] : undefined;
}

/** The outermost middleware: it sees every answer, the guards' refusals included. */
export function auditTrail(
  context: DashboardContext,
  audit: (entry: DashboardAuditEntry) => void,
): MiddlewareHandler {
  return async (c, next) => {
    const { method, path } = c.req;
    if (!audited(method, path)) return next();
    // Who asked, read before the request runs: a logout ends the session it came with.
    const cookieName = context.site?.cookieName;
    let user = cookieName ? userOfSession(context, getCookie(c, cookieName)) : null;
    await next();
    const made = cookieName ? madeSession(c, cookieName) : undefined;
    if (made) user = userOfSession(context, made);
    const item = DOWNLOAD.test(path) ? c.req.query("path") : undefined;
    try {
      audit({
        at: new Date(context.now()),
        address: remoteAddress(c),
        user,
        method,
        path,
        ...(item !== undefined ? { item } : {}),
        status: c.res.status,
      });
    } catch {
      // A log that fails must not fail the request it describes.
    }
  };
}

const ACTION = /^\/api\/jobs\/([^/]+)\/(run|cancel|check|drill|unlock)$/;
const RESTORE = /^\/api\/jobs\/([^/]+)\/snapshots\/([^/]+)\/restore$/;
const DOWNLOAD_PARTS = /^\/api\/jobs\/([^/]+)\/snapshots\/([^/]+)\/(file|archive)$/;

const decode = (part: string | undefined) => {
  try {
    return decodeURIComponent(part ?? "");
  } catch {
    return part ?? "";
  }
};

/** What the request asked for, in words. */
function describeRequest(entry: DashboardAuditEntry): string {
  if (entry.path === LOGIN_PATH) return "login by link";
  if (entry.path === "/api/login") return "login with a password";
  if (entry.path === "/api/logout") return "logout";
  const action = ACTION.exec(entry.path);
  if (action) return `${action[2]} of job "${decode(action[1])}"`;
  const restore = RESTORE.exec(entry.path);
  if (restore) return `restore from snapshot ${decode(restore[2])} of job "${decode(restore[1])}"`;
  const download = DOWNLOAD_PARTS.exec(entry.path);
  if (download) {
    const what = download[3] === "archive" ? "folder download" : "file download";
    return `${what} of ${entry.item ?? "?"} from snapshot ${decode(download[2])} of job "${decode(download[1])}"`;
  }
  return `${entry.method} ${entry.path}`;
}

/** One line for the daemon's log: what, by whom, from where, and how it ended. */
export function describeAuditEntry(entry: DashboardAuditEntry): string {
  const who = entry.user === null ? "" : ` as ${entry.user}`;
  const ended =
    entry.status < 400
      ? ""
      : entry.status === 429
        ? `: refused (${entry.status}, too many failed logins)`
        : entry.status === 401 || entry.status === 403 || entry.status === 421
          ? `: refused (${entry.status})`
          : `: failed (${entry.status})`;
  return `dashboard: ${describeRequest(entry)}${who} from ${entry.address}${ended}`;
}
