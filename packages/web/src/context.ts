import type {
  JobStatus,
  ReadHistoryOptions,
  ResolvedConfig,
  RunHistoryRecord,
  SchedulerEvent,
  UnlockResult,
  VisitHistoryOptions,
} from "@simplebackup/core";
import type { NotifierHubEntryDescription } from "@simplebackup/notifier";
import type { Context } from "hono";
import type { DashboardAuditEntry } from "./audit.js";
import type { LoginCodes } from "./login-token.js";
import type { LoginRateLimit } from "./rate-limit.js";
import { configSecrets, createScrubber, type Scrubber } from "./secrets.js";
import type { SessionStore } from "./sessions.js";
import type { DashboardUser } from "./users.js";

/**
 * What the dashboard needs of the daemon: `createDaemon()`'s object fits as it is, and an app with
 * its own control surface can hand in anything shaped like it.
 */
export interface DashboardDaemon {
  status(): {
    readonly jobs: readonly JobStatus[];
    /** The notifiers in use, secrets masked; an app without any may leave it out. */
    readonly notifiers?: readonly NotifierHubEntryDescription[];
  };
  history(options?: ReadHistoryOptions): Promise<RunHistoryRecord[]>;
  /** Each of a job's runs in a range, oldest first, none kept (the plots of a year); else `history` serves. */
  visitHistory?(options: VisitHistoryOptions, visit: (record: RunHistoryRecord) => void): Promise<unknown>;
  runNow(job: string): Promise<unknown>;
  cancel(job: string): boolean;
  /** Queues a check or drill now; false when one is queued or running. Absent: the buttons are not offered. */
  maintainNow?(job: string, task: "check" | "drill"): boolean;
  /**
   * Removes the job's repository's stale locks now; rejects with a typed error (REPOSITORY_BUSY while
   * one runs, restic's codes). Absent: the Unlock button answers 501.
   */
  unlock?(job: string, options?: { readonly signal?: AbortSignal }): Promise<UnlockResult>;
  subscribe(listener: (event: SchedulerEvent) => void): () => void;
  readonly scheduler: { readonly config: ResolvedConfig | undefined };
  /** The environment the daemon's restic reads (`password_env`, backend credentials). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Where the server answers, known once it listens. */
export interface BoundSite {
  readonly origin: string;
  /** Host header values it answers to (`127.0.0.1:8470`, `localhost:8470`, configured names). */
  readonly hosts: ReadonlySet<string>;
  /** The session cookie's name: one per port, since browsers share cookies across a host's ports. */
  readonly cookieName: string;
}

/** What every route and guard shares. */
export interface DashboardContext {
  readonly daemon: DashboardDaemon;
  readonly stateDir: string;
  readonly now: () => number;
  readonly sessions: SessionStore;
  readonly codes: LoginCodes;
  readonly rateLimit: LoginRateLimit;
  readonly users: readonly DashboardUser[];
  /** Served over TLS: cookies get `Secure`, the origin is https. */
  readonly secure: boolean;
  readonly heartbeatMs: number;
  /** Where logins, changes and downloads are told (audit.ts); none when absent. */
  readonly audit?: (entry: DashboardAuditEntry) => void;
  /** Ends each open event stream; called on close. */
  readonly streams: Set<() => void>;
  site: BoundSite | undefined;
}

const NO_SECRETS = createScrubber([]);
const scrubbers = new WeakMap<ResolvedConfig, Scrubber>();

/** The scrubber of the config in use now (it changes on a reload), made once per config. */
export function scrubberOf(context: DashboardContext): Scrubber {
  const config = context.daemon.scheduler.config;
  if (!config) return NO_SECRETS;
  let scrub = scrubbers.get(config);
  if (!scrub) {
    scrub = createScrubber(configSecrets(config, context.daemon.env));
    scrubbers.set(config, scrub);
  }
  return scrub;
}

/** Every JSON body leaves through here: serialized once, scrubbed of the config's secrets, never cached. */
export function sendJson(c: Context, context: DashboardContext, value: unknown, status = 200): Response {
  const body = JSON.stringify(scrubberOf(context).value(value));
  return c.body(body, status as 200, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
  });
}

/** An error body: `{ error: { code, message } }`. */
export function sendError(
  c: Context,
  context: DashboardContext,
  status: number,
  code: string,
  message: string,
): Response {
  return sendJson(c, context, { error: { code, message } }, status);
}
