import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { type DashboardContext, sendError } from "./context.js";
import type { Session } from "./sessions.js";

/** The header a state-changing request must carry: a page of another origin cannot set it without CORS, which we never grant. */
export const SAME_ORIGIN_HEADER = "X-Simplebackup";

/**
 * No inline script or style, no framing, nothing loaded from elsewhere: the page is built into the
 * package, so `'self'` is all it needs. `connect-src 'self'` covers the event stream.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** On every response, errors included. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    headers.set("Cross-Origin-Resource-Policy", "same-origin");
  };
}

/**
 * DNS rebinding defence: a page on evil.example whose name was re-pointed at 127.0.0.1 reaches this
 * port with `Host: evil.example`, which is refused before any route (or the cookie) is looked at.
 */
export function hostGuard(context: DashboardContext): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("Host")?.toLowerCase();
    if (!host || !context.site?.hosts.has(host)) {
      return sendError(c, context, 421, "HOST_NOT_SERVED", "this server does not answer to that host name");
    }
    await next();
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Every request that changes something must prove it comes from our own page: its Origin is ours
 * (browsers set it on every POST and never let a page forge it) and it carries `X-Simplebackup: 1`
 * (which a cross-origin page could only send after a CORS preflight, which this server never
 * answers). Either alone would do in today's browsers; both cost nothing.
 */
export function sameOriginGuard(context: DashboardContext): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    // The host was checked by hostGuard; the request's own origin is the scheme and that host.
    const ownOrigin = `${context.secure ? "https" : "http"}://${c.req.header("Host")?.toLowerCase()}`;
    if (c.req.header("Origin")?.toLowerCase() !== ownOrigin) {
      return sendError(
        c,
        context,
        403,
        "CROSS_ORIGIN",
        "a request that changes something must come from the dashboard's own page",
      );
    }
    if (c.req.header(SAME_ORIGIN_HEADER) !== "1") {
      return sendError(
        c,
        context,
        403,
        "CROSS_ORIGIN",
        `a request that changes something must carry ${SAME_ORIGIN_HEADER}: 1`,
      );
    }
    await next();
  };
}

/** The request's live session, if its cookie names one. */
export function sessionOf(context: DashboardContext, cookie: string | undefined): Session | undefined {
  return context.sessions.touch(cookie, context.now());
}

/** Every /api route but the login itself needs a session: 401 with a JSON body otherwise. */
export function sessionGuard(context: DashboardContext, open: ReadonlySet<string>): MiddlewareHandler {
  return async (c, next) => {
    if (open.has(c.req.path)) return next();
    const cookie = context.site ? getCookie(c, context.site.cookieName) : undefined;
    if (!sessionOf(context, cookie)) {
      return sendError(
        c,
        context,
        401,
        "UNAUTHENTICATED",
        "log in first: run `simplebackup ui` for a login link",
      );
    }
    await next();
  };
}
