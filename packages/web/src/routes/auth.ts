import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { type DashboardContext, sendError, sendJson } from "../context.js";
import { SESSION_MAX_MS } from "../sessions.js";
import { verifyUser } from "../users.js";

/** The paths that work without a session: the two ways in. */
export const LOGIN_PATH = "/login";
export const API_LOGIN_PATH = "/api/login";

/** The peer's address, as the socket says (no proxy header is trusted: none is expected in front). */
export function remoteAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}

function startSession(c: Context, context: DashboardContext, user: string | undefined): void {
  const site = context.site;
  if (!site) return;
  const id = context.sessions.create(user, context.now());
  setCookie(c, site.cookieName, id, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: context.secure,
    maxAge: Math.floor(SESSION_MAX_MS / 1000),
  });
}

/** Refuses an address past its failed logins; the response says when to try again. */
function refuseWhileLimited(c: Context, context: DashboardContext, address: string): Response | undefined {
  const waitMs = context.rateLimit.retryAfterMs(address, context.now());
  if (waitMs === 0) return undefined;
  c.header("Retry-After", String(Math.ceil(waitMs / 1000)));
  return sendError(
    c,
    context,
    429,
    "TOO_MANY_LOGINS",
    "too many failed logins from this address; try again later",
  );
}

export function registerAuthRoutes(app: Hono, context: DashboardContext): void {
  // The one-time link `simplebackup ui` prints. A GET, since a person clicks it in a terminal; what
  // it changes (a session for this browser) needs the code, which no other site can know.
  app.get(LOGIN_PATH, (c) => {
    const address = remoteAddress(c);
    const limited = refuseWhileLimited(c, context, address);
    if (limited) return limited;
    const code = c.req.query("code") ?? "";
    if (!context.codes.redeem(code, context.now())) {
      context.rateLimit.fail(address, context.now());
      return c.html(
        "<!doctype html><title>simplebackup</title><p>This login link is used up, expired or wrong. Run <code>simplebackup ui</code> for a new one.</p>",
        403,
        { "Cache-Control": "no-store" },
      );
    }
    startSession(c, context, undefined);
    // Off to the page, so the code leaves the address bar (and, with no-referrer, goes nowhere).
    c.header("Cache-Control", "no-store");
    return c.redirect("/", 303);
  });

  app.post(API_LOGIN_PATH, async (c) => {
    const address = remoteAddress(c);
    const limited = refuseWhileLimited(c, context, address);
    if (limited) return limited;
    const body = await c.req.json<unknown>().catch(() => undefined);
    const { user, password } = (body ?? {}) as { user?: unknown; password?: unknown };
    if (typeof user !== "string" || typeof password !== "string" || password.length > 1024) {
      return sendError(c, context, 400, "BAD_REQUEST", 'send {"user": "...", "password": "..."} as JSON');
    }
    const name = await verifyUser(context.users, user, password);
    if (name === undefined) {
      context.rateLimit.fail(address, context.now());
      return sendError(c, context, 401, "LOGIN_FAILED", "wrong user name or password");
    }
    startSession(c, context, name);
    return sendJson(c, context, { user: name });
  });

  app.post("/api/logout", (c) => {
    const site = context.site;
    if (site) {
      context.sessions.delete(getCookie(c, site.cookieName));
      deleteCookie(c, site.cookieName, {
        path: "/",
        secure: context.secure,
        httpOnly: true,
        sameSite: "Strict",
      });
    }
    return sendJson(c, context, { loggedOut: true });
  });

  app.get("/api/session", (c) => {
    const session = context.site
      ? context.sessions.touch(getCookie(c, context.site.cookieName), context.now())
      : undefined;
    return sendJson(c, context, { user: session?.user ?? null });
  });
}
