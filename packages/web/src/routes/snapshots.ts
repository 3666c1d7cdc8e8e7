import { isAbsolute, normalize } from "node:path";
import {
  type BackupJob,
  checkSnapshotPath,
  createResticProvider,
  describeRestoreShortfall,
  escapeRestorePattern,
  formatLocalTime,
  isSimplebackupError,
  type ListedSnapshot,
  listSnapshotPath,
  listSnapshots,
  RepositoryBusyError,
  type ResticProvider,
  runRestore,
  SimplebackupError,
  SNAPSHOT_ID_PATTERN,
  type SnapshotPathListing,
  snapshotFileCount,
  snapshotSize,
  streamSnapshotPath,
  withRepositoryLock,
} from "@simplebackup/core";
import type { Context, Hono } from "hono";
import { type DashboardContext, sendError, sendJson } from "../context.js";
import { createDownloadPipe, downloadHeaders } from "../download.js";
import { answerTyped } from "./typed-errors.js";

/** How the snapshot routes reach restic: the daemon's binary and environment. */
export interface SnapshotAccess {
  readonly restic: ResticProvider;
  readonly env: NodeJS.ProcessEnv;
}

/** At most this many paths per restore request. @default 1000 */
export const RESTORE_PATHS_MAX = 1000;

/** The config's restic_binary (read at each lookup, as the daemon does), else RESTIC_BINARY or PATH. */
export function defaultSnapshotAccess(context: DashboardContext): SnapshotAccess {
  // The daemon's own environment: a `password_env` given only to createDaemon({ env }) is found too.
  const env = context.daemon.env ?? process.env;
  return {
    restic: createResticProvider({ configured: () => context.daemon.scheduler.config?.resticBinary, env }),
    env,
  };
}

/**
 * The snapshot browser: a job's snapshots, one folder of one at a time (`restic ls` per folder, as the
 * page opens it), a file or a folder (tar, zip) streamed out with `restic dump`, and a restore of
 * chosen paths into a folder with the CLI's rules. Every id is checked to be the job's own snapshot.
 */
export function registerSnapshotRoutes(
  app: Hono,
  context: DashboardContext,
  onError: (error: unknown) => void,
  access: SnapshotAccess = defaultSnapshotAccess(context),
): void {
  // Browsing only reads: without restic's lock, so a page left open never makes the daemon's
  // forget or check fail on it. A restore keeps its lock (it is a person's deliberate act).
  const options = async (signal?: AbortSignal, readOnly = true) => ({
    restic: await access.restic.get(),
    env: access.env,
    readOnly,
    ...(signal ? { signal } : {}),
  });
  const answer = answerTyped(context);
  const findJob = (c: Context): BackupJob | undefined =>
    context.daemon.scheduler.config?.jobs.find((job) => job.name === c.req.param("job"));
  const noJob = (c: Context) => sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${c.req.param("job")}"`);
  const badRequest = (c: Context, message: string) => sendError(c, context, 400, "BAD_REQUEST", message);

  /** The job and its snapshot's id as the address names them, or the error response. */
  const jobSnapshot = (c: Context) => {
    const job = findJob(c);
    if (!job) return noJob(c);
    const id = c.req.param("id")?.toLowerCase() ?? "";
    if (!SNAPSHOT_ID_PATTERN.test(id)) {
      return sendError(c, context, 404, "SNAPSHOT_NOT_FOUND", `"${id}" is not a snapshot id (8-64 hex)`);
    }
    return { job, id };
  };

  /** The job, its snapshot's id and the path asked for, or the error response. */
  const target = (c: Context, defaultPath?: string) => {
    const named = jobSnapshot(c);
    if (named instanceof Response) return named;
    const { job, id } = named;
    const text = c.req.query("path") ?? defaultPath;
    if (text === undefined) return badRequest(c, "path is required, such as ?path=/home/me/a.txt");
    const path = checkSnapshotPath(text);
    if (!path.ok) return badRequest(c, path.problem);
    return { job, id, path: path.path };
  };

  app.get("/api/jobs/:job/snapshots", (c) =>
    answer(c, async () => {
      const job = findJob(c);
      if (!job) return noJob(c);
      const snapshots = await listSnapshots(job, await options());
      return sendJson(c, context, { job: job.name, snapshots: snapshots.map(snapshotView) });
    }),
  );

  app.get("/api/jobs/:job/snapshots/:id/tree", (c) =>
    answer(c, async () => {
      const asked = target(c, "/");
      if (asked instanceof Response) return asked;
      const listing = await listSnapshotPath(asked.job, await options(), asked.id, asked.path);
      if (listing.type !== "dir") {
        return badRequest(c, `${listing.path} is a ${listing.type}, not a folder; download it with /file`);
      }
      return sendJson(c, context, {
        job: asked.job.name,
        snapshot: listing.snapshot,
        path: listing.path,
        entries: listing.entries.map(({ name, type, size, mtime }) => ({ name, type, size, mtime })),
      });
    }),
  );

  app.get("/api/jobs/:job/snapshots/:id/file", (c) =>
    answer(c, async () => {
      const asked = target(c);
      if (asked instanceof Response) return asked;
      const listing = await listSnapshotPath(asked.job, await options(), asked.id, asked.path);
      if (listing.type !== "file") {
        return badRequest(
          c,
          `${listing.path} is a ${listing.type}, not a file; a folder downloads with /archive`,
        );
      }
      const name = listing.path.slice(listing.path.lastIndexOf("/") + 1);
      return download(c, asked.job, listing, downloadHeaders(name, listing.size));
    }),
  );

  app.get("/api/jobs/:job/snapshots/:id/archive", (c) =>
    answer(c, async () => {
      const asked = target(c, "/");
      if (asked instanceof Response) return asked;
      const format = c.req.query("format") ?? "tar";
      if (format !== "tar" && format !== "zip") return badRequest(c, "format is tar or zip");
      const listing = await listSnapshotPath(asked.job, await options(), asked.id, asked.path);
      if (listing.type !== "dir") {
        return badRequest(c, `${listing.path} is a ${listing.type}, not a folder; download it with /file`);
      }
      const folder = listing.path === "/" ? "" : `-${listing.path.slice(listing.path.lastIndexOf("/") + 1)}`;
      const name = `${asked.job.name}-${listing.snapshot.shortId}${folder}.${format}`;
      return download(c, asked.job, listing, downloadHeaders(name), format);
    }),
  );

  app.post("/api/jobs/:job/snapshots/:id/restore", (c) =>
    answer(c, async () => {
      const named = jobSnapshot(c);
      if (named instanceof Response) return named;
      const { job, id } = named;
      const body = await c.req.json<unknown>().catch(() => undefined);
      const request = readRestoreRequest(body);
      if (typeof request === "string") return badRequest(c, request);
      const restore = async () =>
        // The request's own work: a page closed mid-restore stops restic (SIGINT), leaving what it wrote.
        runRestore(job, {
          ...(await options(c.req.raw.signal, false)),
          snapshot: id,
          target: request.target,
          overwrite: request.overwrite,
          // `/` is the whole snapshot; any other path is matched exactly, its `*` and `[` no globs.
          include: request.paths.includes("/") ? [] : request.paths.map(escapeRestorePattern),
        });
      // The repository's turn, as `simplebackup restore` takes it: restic's lock of a restore would make
      // the daemon's forget or check fail (REPO_LOCKED), so they wait for it instead; and a restore
      // asked for while the daemon works there is refused at once, saying whose work it waits for,
      // rather than held open for as long as a backup takes.
      const result = await withRepositoryLock(
        context.stateDir,
        job.repository,
        { job: job.name, activity: "the dashboard's restore" },
        restore,
        { wait: false },
      ).catch((error: unknown) => {
        throw error instanceof RepositoryBusyError ? busyRestore(error) : error;
      });
      const shortfall = describeRestoreShortfall(result);
      if (!shortfall) return sendJson(c, context, { restore: result });
      // Restored in part: an error status with its code, and the result saying what the target holds.
      const status = shortfall.code === "DESTINATION_FULL" ? 507 : 502;
      return sendJson(c, context, { error: shortfall, restore: result }, status);
    }),
  );

  /** Streams `restic dump` of a path already listed (so its id is the job's and it exists). */
  async function download(
    c: Context,
    job: BackupJob,
    listing: SnapshotPathListing,
    headers: Record<string, string>,
    archive?: "tar" | "zip",
  ): Promise<Response> {
    const outgoing = (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing;
    const { input, body } = createDownloadPipe(() => outgoing?.destroy());
    streamSnapshotPath(
      job,
      await options(c.req.raw.signal),
      listing.snapshot.id,
      listing.path,
      input,
      archive ? { archive } : {},
    ).catch((error: unknown) => {
      // A client that hung up is no failure of ours; restic was stopped and its lock removed.
      if (isSimplebackupError(error) && error.code === "INTERRUPTED") return;
      // Said with what was being downloaded: the audit line of the request was written at its start.
      onError(
        isSimplebackupError(error)
          ? new SimplebackupError(
              error.code,
              `a download of ${listing.path} from snapshot ${listing.snapshot.shortId} of job "${job.name}" broke off (the browser saw the connection reset): ${error.message}`,
              { cause: error },
            )
          : error,
      );
    });
    return c.body(body, 200, headers);
  }
}

/** REPOSITORY_BUSY in the dashboard's words: whose work holds the repository, since when. */
function busyRestore(error: RepositoryBusyError): SimplebackupError {
  const { holder } = error;
  const who = holder
    ? `${holder.activity} of job "${holder.job}" (PID ${holder.pid}, since ${formatLocalTime(holder.acquiredAt)})`
    : "another simplebackup process";
  return new SimplebackupError(
    "REPOSITORY_BUSY",
    `${who} works on this repository; nothing was restored. Try again when it is done`,
    { cause: error },
  );
}

/** A snapshot as the browser lists it, field by field (no `excludes`, nothing added later unseen). */
function snapshotView(snapshot: ListedSnapshot) {
  return {
    id: snapshot.id,
    shortId: snapshot.short_id,
    time: snapshot.time,
    paths: snapshot.paths,
    hostname: snapshot.hostname,
    tags: snapshot.tags ?? [],
    database: snapshot.database ?? null,
    size: snapshotSize(snapshot) ?? null,
    files: snapshotFileCount(snapshot) ?? null,
  };
}

interface RestoreRequest {
  readonly paths: readonly string[];
  readonly target: string;
  readonly overwrite: boolean;
}

/** The restore's body, checked; a string says what is wrong with it. */
export function readRestoreRequest(body: unknown): RestoreRequest | string {
  if (typeof body !== "object" || body === null) {
    return 'the body is JSON: {"paths": ["/home/me/docs"], "target": "/tmp/restored", "overwrite": false}';
  }
  const { paths, target, overwrite } = body as Record<string, unknown>;
  if (!Array.isArray(paths) || paths.length === 0 || paths.length > RESTORE_PATHS_MAX) {
    return `paths is a list of 1 to ${RESTORE_PATHS_MAX} absolute paths inside the snapshot`;
  }
  const checked: string[] = [];
  for (const path of paths) {
    if (typeof path !== "string") return "each of paths is a string";
    const check = checkSnapshotPath(path);
    if (!check.ok) return `paths: ${check.problem}`;
    checked.push(check.path);
  }
  if (typeof target !== "string" || !isAbsolute(target) || target.includes("\0")) {
    return "target is the absolute path of a folder on this machine, new or empty, such as /tmp/restored";
  }
  const trimmed = target.length > 1 && target.endsWith("/") ? target.slice(0, -1) : target;
  if (normalize(trimmed) !== trimmed) {
    return `target is a normalized path (no ".", ".." or "//"); got "${target}"`;
  }
  if (overwrite !== undefined && typeof overwrite !== "boolean") return "overwrite is true or false";
  return { paths: checked, target: trimmed, overwrite: overwrite ?? false };
}
