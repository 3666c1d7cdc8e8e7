import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BackupRunResult, RunAttempt, RunMaintenance } from "@simplebackup/core";
import { SimplebackupError } from "@simplebackup/core";
import { createDaemon, type Daemon } from "@simplebackup/daemon";
import {
  createDashboardServer,
  type DashboardDaemon,
  type DashboardOptions,
  type DashboardServer,
} from "../src/index.js";

// Real HTTP over 127.0.0.1 with node:http rather than fetch: fetch will not send a Host header of
// our choosing, and the DNS-rebinding tests need one.

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** For TLS tests: the self-signed certificate to trust. */
  readonly ca?: Buffer;
}

export function send(url: string, options: RequestOptions = {}): Promise<Reply> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? "GET",
        headers: options.headers,
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A browser stand-in: keeps the session cookie and sends our own page's proofs on writes. */
export class Browser {
  cookie: string | undefined;

  constructor(readonly server: DashboardServer) {}

  get origin(): string {
    return this.server.url;
  }

  async logIn(): Promise<Reply> {
    const reply = await send(this.server.loginLink());
    this.keepCookie(reply);
    return reply;
  }

  keepCookie(reply: Reply): void {
    const set = reply.headers["set-cookie"];
    const first = Array.isArray(set) ? set[0] : set;
    if (first) this.cookie = first.split(";")[0];
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return send(this.origin + path, { headers: { ...this.cookieHeader(), ...headers } });
  }

  post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return send(this.origin + path, {
      method: "POST",
      headers: {
        Origin: this.origin,
        "X-Simplebackup": "1",
        "Content-Type": "application/json",
        ...this.cookieHeader(),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  private cookieHeader(): Record<string, string> {
    return this.cookie ? { Cookie: this.cookie } : {};
  }
}

/** The secrets of `secretConfig`, each of which must never reach a response. */
export const SECRETS = {
  jobPassword: "job-pass-Zq81!x",
  envValue: "aws-secret-Kf02mQ",
  repositoryPassword: "repo-url-pass-77b",
  databasePassword: "db-pass-Wm3#q",
  webhookPath: "T0SECRETPATH9",
} as const;

export function secretConfig(dir: string): Record<string, unknown> {
  return {
    backupjobs: [
      {
        jobname: "docs",
        sources: [join(dir, "data")],
        destination: join(dir, "repo"),
        password: SECRETS.jobPassword,
        env: { AWS_SECRET_ACCESS_KEY: SECRETS.envValue, AWS_DEFAULT_REGION: "eu" },
        backup_interval: "0 2 * * *",
        alert_after: "2d",
      },
      {
        jobname: "app db",
        sources: [join(dir, "data")],
        destination: `rest:https://backup:${SECRETS.repositoryPassword}@backup.example:8000/app`,
        password_env: "APP_RESTIC_PASSWORD",
        databases: [
          { type: "postgresql", name: "app", host: "db.example", password: SECRETS.databasePassword },
        ],
        backup_interval: "0 3 * * *",
        notifications: [
          { type: "webhook", url: `https://hooks.example/services/${SECRETS.webhookPath}`, on: ["stale"] },
        ],
      },
    ],
  };
}

/**
 * A stand-in for restic that says the job's secrets out loud, in its log and its error, as a
 * careless tool might: what the dashboard sends must still hold none of them.
 */
export function leakyAttempt(outcome: "success" | "failed" = "failed"): RunAttempt {
  return async (job, context) => {
    const startedAt = context.now();
    context.emit({
      type: "start",
      job: job.name,
      runId: context.runId,
      at: startedAt,
      sources: job.sources,
      repository: job.repository,
    });
    context.emit({
      type: "progress",
      job: job.name,
      runId: context.runId,
      at: context.now(),
      percentDone: 0.5,
      filesDone: 1,
      totalFiles: 2,
      bytesDone: 5,
      totalBytes: 10,
      secondsElapsed: 1,
      secondsRemaining: 1,
      errorCount: 0,
      currentFiles: [`/data/${SECRETS.envValue}`],
    });
    const said = `${job.repository} ${Object.values(job.env).join(" ")} ${job.password.kind === "literal" ? job.password.value : ""}`;
    context.log(`restic said: ${said}`);
    const error =
      outcome === "failed" ? new SimplebackupError("RESTIC_FAILED", `restic failed: ${said}`) : undefined;
    const result: BackupRunResult = {
      job: job.name,
      runId: context.runId,
      status: outcome,
      snapshotId: error ? undefined : "abcd1234",
      stats: undefined,
      error,
      repositoryInitialized: false,
      retention: { status: "skipped" },
      unreadable: [],
      missingSources: [],
      startedAt,
      durationMs: 1,
    };
    return result;
  };
}

export interface Setup {
  readonly dir: string;
  readonly stateDir: string;
  readonly daemon: Daemon;
  readonly server: DashboardServer;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** For `startDashboard`'s `serve`: the daemon as the dashboard sees it, its `unlock` the test's (or none). */
export function withUnlock(unlock: DashboardDaemon["unlock"]): (daemon: Daemon) => DashboardDaemon {
  return (daemon) => ({
    status: () => daemon.status(),
    history: (options) => daemon.history(options),
    runNow: (job) => daemon.runNow(job),
    cancel: (job) => daemon.cancel(job),
    maintainNow: (job, task) => daemon.maintainNow(job, task),
    subscribe: (listener) => daemon.subscribe(listener),
    scheduler: daemon.scheduler,
    env: daemon.env,
    ...(unlock ? { unlock } : {}),
  });
}

/**
 * A started daemon on `secretConfig` with its dashboard on 127.0.0.1 and a free port. `serve` puts
 * a stand-in between them (a daemon method replaced, or left out) for the failures real restic
 * cannot be made to show on cue.
 */
export async function startDashboard(
  options: Partial<DashboardOptions> = {},
  runAttempt: RunAttempt = leakyAttempt(),
  runMaintenance?: RunMaintenance,
  serve: (daemon: Daemon) => DashboardDaemon = (daemon) => daemon,
): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "sb-web-"));
  await mkdir(join(dir, "data"), { recursive: true });
  const configPath = join(dir, "config.json");
  await writeFile(configPath, JSON.stringify(secretConfig(dir), null, 2));
  const stateDir = join(dir, "state");
  const daemon = createDaemon({
    configPath,
    stateDir,
    watchConfig: false,
    runAttempt,
    ...(runMaintenance ? { runMaintenance } : {}),
    env: { ...process.env, APP_RESTIC_PASSWORD: "env-pass" },
    logger: { warn: () => {}, error: () => {} },
    warn: () => {},
  });
  await daemon.start();
  const server = await createDashboardServer(serve(daemon), {
    listen: "127.0.0.1:0",
    stateDir,
    ...options,
  });
  return {
    dir,
    stateDir,
    daemon,
    server,
    browser: new Browser(server),
    async close() {
      await server.close();
      await daemon.stop({ timeoutMs: 2_000, notifyTimeoutMs: 500 });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A daemon on a config of the test's own, its dashboard, and a browser logged in to it. */
export interface Served {
  readonly daemon: Daemon;
  readonly server: DashboardServer;
  readonly browser: Browser;
  /** Stops the dashboard and the daemon; the folder stays the test's to remove. */
  close(): Promise<void>;
}

/**
 * Writes `config` into `dir`, starts a daemon on it (state in `dir`/state, no file watching) and its
 * dashboard on 127.0.0.1 and a free port, and logs a browser in: the tests on a real restic.
 */
export async function serveConfig(dir: string, config: unknown): Promise<Served> {
  const configPath = join(dir, "config.json");
  const stateDir = join(dir, "state");
  await writeFile(configPath, JSON.stringify(config));
  const daemon = createDaemon({
    configPath,
    stateDir,
    watchConfig: false,
    logger: { warn: () => {}, error: () => {} },
    warn: () => {},
  });
  await daemon.start();
  const server = await createDashboardServer(daemon, { listen: "127.0.0.1:0", stateDir });
  const browser = new Browser(server);
  await browser.logIn();
  return {
    daemon,
    server,
    browser,
    async close() {
      await server.close();
      await daemon.stop({ timeoutMs: 2_000, notifyTimeoutMs: 500 });
    },
  };
}
