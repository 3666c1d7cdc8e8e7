import { readFile } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { CodedError } from "@simplebackup/core";
import { createDashboardApp, type DashboardRoute } from "./app.js";
import type { DashboardAuditEntry } from "./audit.js";
import type { DashboardContext, DashboardDaemon } from "./context.js";
import { removeDashboardFile, writeDashboardFile } from "./dashboard-file.js";
import { DashboardError } from "./errors.js";
import { checkExposure, DEFAULT_LISTEN, formatHostPort, isLoopback, parseListen } from "./listen.js";
import { createLoginCode, ensureLoginToken, LoginCodes } from "./login-token.js";
import { LoginRateLimit } from "./rate-limit.js";
import { HEARTBEAT_MS } from "./routes/events.js";
import { SessionStore } from "./sessions.js";
import { defaultUiDir, loadStaticFiles } from "./static-files.js";
import { checkUsers, type DashboardUser } from "./users.js";

export interface DashboardOptions {
  /** The state folder: where the login token lives and run logs are read from. */
  readonly stateDir: string;
  /** `host:port`. @default "127.0.0.1:8470" */
  readonly listen?: string;
  /** PEM files; with them the dashboard speaks HTTPS and may listen beyond loopback. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Allow a non-loopback address without TLS (a TLS proxy or a trusted network in front). @default false */
  readonly insecureHttp?: boolean;
  /** Named users who log in with a password; required beyond loopback. */
  readonly users?: readonly DashboardUser[];
  /** More host names the server answers to (the name a proxy or a LAN uses for it). */
  readonly hosts?: readonly string[];
  /** Write `<state>/dashboard.json` (the address, for `simplebackup ui`); removed on close. @default true */
  readonly announce?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default 25 s */
  readonly heartbeatMs?: number;
  /** Failed logins allowed per address in 15 minutes. @default 5 */
  readonly loginFailuresAllowed?: number;
  /** The built UI to serve. @default the package's own `dist/ui` */
  readonly uiDir?: string;
  /**
   * Told of each login (and refused one), logout, change (run, cancel, check, drill, unlock, restore)
   * and download, with who and from where; `simplebackup run` prints them among the daemon's lines.
   */
  readonly audit?: (entry: DashboardAuditEntry) => void;
  /** Where a route's failure is told. @default stderr */
  readonly onError?: (error: unknown) => void;
}

export interface DashboardServer {
  /** `http://127.0.0.1:8470`: the address a browser on this machine uses. */
  readonly url: string;
  readonly port: number;
  /** Every route, for the tests that walk them all. */
  readonly routes: readonly DashboardRoute[];
  /** A one-time login link (the one `simplebackup ui` prints). */
  loginLink(): string;
  /** Ends the event streams, closes every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the dashboard's HTTP server over a daemon's control surface. Refuses, before binding, an
 * address another machine can reach unless TLS (or `insecureHttp`) and a named user are configured.
 */
export async function createDashboardServer(
  daemon: DashboardDaemon,
  options: DashboardOptions,
): Promise<DashboardServer> {
  const address = parseListen(options.listen ?? DEFAULT_LISTEN);
  const users = options.users ?? [];
  checkUsers(users);
  checkExposure(address, {
    tls: options.tls !== undefined,
    insecureHttp: options.insecureHttp === true,
    users: users.length,
  });
  const tls = options.tls ? await readTls(options.tls) : undefined;
  const token = await ensureLoginToken(options.stateDir);
  const now = options.now ?? Date.now;
  const context: DashboardContext = {
    daemon,
    stateDir: options.stateDir,
    now,
    sessions: new SessionStore(),
    codes: new LoginCodes(token),
    rateLimit: new LoginRateLimit(options.loginFailuresAllowed),
    users,
    secure: tls !== undefined,
    heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS,
    ...(options.audit ? { audit: options.audit } : {}),
    streams: new Set(),
    site: undefined,
  };
  const onError = options.onError ?? describeFailureToStderr;
  const uiFiles = await loadStaticFiles(options.uiDir ?? defaultUiDir());
  const { app, routes, dispose } = createDashboardApp(context, onError, uiFiles);
  const server = createAdaptorServer({
    fetch: app.fetch,
    // Off: by default the adapter replaces the process's global Request and Response, which an app
    // embedding the daemon did not ask for.
    overrideGlobalObjects: false,
    ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      dispose();
      reject(
        new DashboardError(
          "DASHBOARD_LISTEN_FAILED",
          `cannot listen on ${formatHostPort(address.host, address.port)}: ${error.code === "EADDRINUSE" ? "the port is in use (another daemon's dashboard?); set ui.listen to another port" : error.message}`,
          { cause: error },
        ),
      );
    });
    server.listen(address.port, address.host, () => resolve((server.address() as AddressInfo).port));
  });
  const scheme = tls ? "https" : "http";
  const hosts = new Set<string>();
  for (const name of [
    "127.0.0.1",
    "localhost",
    "::1",
    ...(isLoopback(address.host) ? [] : [address.host]),
    ...(options.hosts ?? []),
  ]) {
    hosts.add(formatHostPort(name.toLowerCase(), port));
  }
  const browseHost =
    isLoopback(address.host) || address.host === "0.0.0.0" || address.host === "::"
      ? "127.0.0.1"
      : address.host;
  const url = `${scheme}://${formatHostPort(browseHost, port)}`;
  context.site = { origin: url, hosts, cookieName: `simplebackup_session_${port}` };
  if (options.announce !== false) await writeDashboardFile(options.stateDir, url);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    routes,
    loginLink: () => `${url}/login?code=${createLoginCode(token, now())}`,
    close() {
      closing ??= (async () => {
        dispose();
        if (options.announce !== false) await removeDashboardFile(options.stateDir).catch(() => {});
        for (const end of [...context.streams]) end();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive connections would hold close() open until they idle out.
          if ("closeIdleConnections" in server) server.closeIdleConnections();
          setTimeout(() => {
            if ("closeAllConnections" in server) server.closeAllConnections();
          }, 1_000).unref();
        });
      })();
      return closing;
    },
  };
}

async function readTls(files: {
  readonly cert: string;
  readonly key: string;
}): Promise<{ cert: Buffer; key: Buffer }> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new DashboardError(
        "DASHBOARD_TLS_UNREADABLE",
        `cannot read the TLS ${what} ${file}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  };
  return { cert: await read(files.cert, "certificate"), key: await read(files.key, "key") };
}

/**
 * A route's failure, told on stderr: a coded error (restic failed, a repository gone) in one line, as
 * the daemon's other lines are; anything else with its stack, since that is a fault of ours to find.
 */
function describeFailureToStderr(error: unknown): void {
  if (error instanceof CodedError) console.error(`dashboard: error [${error.code}]: ${error.message}`);
  else console.error("dashboard:", error);
}
