import type { Hono as HonoApp } from "hono";
import { Hono } from "hono";
import { auditTrail } from "./audit.js";
import { type DashboardContext, sendError } from "./context.js";
import { UI_NOT_BUILT_PAGE } from "./page.js";
import { API_LOGIN_PATH, registerAuthRoutes } from "./routes/auth.js";
import { registerConfigRoute } from "./routes/config.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerJobRoutes, trackProgress } from "./routes/jobs.js";
import { registerNotifierRoutes } from "./routes/notifiers.js";
import { registerRunSeriesRoute } from "./routes/run-series.js";
import { registerSnapshotRoutes } from "./routes/snapshots.js";
import { hostGuard, sameOriginGuard, securityHeaders, sessionGuard } from "./security.js";
import { type StaticFile, staticResponse } from "./static-files.js";

export interface DashboardRoute {
  readonly method: string;
  readonly path: string;
}

export interface DashboardApp {
  readonly app: HonoApp;
  /** Every route registered (middleware left out), for the tests that walk them all. */
  readonly routes: readonly DashboardRoute[];
  /** Stops listening to the daemon. */
  dispose(): void;
}

/** The dashboard's routes behind its guards, in the order a request meets them. */
export function createDashboardApp(
  context: DashboardContext,
  onError: (error: unknown) => void,
  uiFiles: ReadonlyMap<string, StaticFile> = new Map(),
): DashboardApp {
  const app = new Hono();
  if (context.audit) app.use("*", auditTrail(context, context.audit));
  app.use("*", securityHeaders());
  app.use("*", hostGuard(context));
  app.use("*", sameOriginGuard(context));
  app.use("/api/*", sessionGuard(context, new Set([API_LOGIN_PATH])));

  registerAuthRoutes(app, context);
  const tracker = trackProgress(context);
  registerJobRoutes(app, context, tracker.progress);
  registerRunSeriesRoute(app, context);
  registerEventRoutes(app, context);
  registerSnapshotRoutes(app, context, onError);
  registerNotifierRoutes(app, context);
  const stopConfigWatch = registerConfigRoute(app, context);
  registerUiRoutes(app, uiFiles);

  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? sendError(c, context, 404, "NOT_FOUND", `no route ${c.req.method} ${c.req.path}`)
      : c.text("not found", 404),
  );
  app.onError((error, c) => {
    onError(error);
    // The message stays in the daemon's log: an error's text is not vetted for the page.
    return sendError(c, context, 500, "INTERNAL", "the dashboard failed to answer; see the daemon's log");
  });

  const routes = app.routes
    .filter((route) => route.method !== "ALL")
    .map(({ method, path }) => ({ method, path }));
  return {
    app,
    routes,
    dispose: () => {
      tracker.stop();
      stopConfigWatch();
    },
  };
}

/**
 * The built UI, one route per file (the files are known at start), so the tests that walk every
 * route fetch the page's scripts too. No session needed: the page and its scripts hold no data; the
 * API they call does.
 */
function registerUiRoutes(app: HonoApp, uiFiles: ReadonlyMap<string, StaticFile>): void {
  const index = uiFiles.get("/index.html");
  if (!index) {
    app.get("/", (c) => c.html(UI_NOT_BUILT_PAGE, 503, { "Cache-Control": "no-store" }));
    return;
  }
  app.get("/", (c) => staticResponse(index, c.req.header("Accept-Encoding")));
  for (const [path, file] of uiFiles) {
    if (path === "/index.html") continue;
    app.get(path, (c) => staticResponse(file, c.req.header("Accept-Encoding")));
  }
}
