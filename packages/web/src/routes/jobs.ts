import { open } from "node:fs/promises";
import { findRunLog, type JobStatus, type SchedulerEvent } from "@simplebackup/core";
import type { Hono } from "hono";
import { type DashboardContext, scrubberOf, sendError, sendJson } from "../context.js";
import { jobView, type ProgressByJob, unlockView } from "../views.js";
import { answerTyped } from "./typed-errors.js";

/** At most this many history records per request. @default 1000 */
export const HISTORY_LIMIT_MAX = 1000;
/** A log larger than this is sent as its last part: the page shows a tail, not 100 MB. @default 4 MiB */
const LOG_TAIL_BYTES = 4 * 1024 * 1024;

function findStatus(context: DashboardContext, job: string): JobStatus | undefined {
  return context.daemon.status().jobs.find((status) => status.job === job);
}

/** The newest progress of each running job, so a page opened mid-run shows its bar at once. */
export function trackProgress(context: DashboardContext): { progress: ProgressByJob; stop: () => void } {
  const progress: ProgressByJob = new Map();
  const stop = context.daemon.subscribe((event: SchedulerEvent) => {
    if (event.type === "progress") progress.set(event.job, event);
    else if (
      event.type === "start" ||
      event.type === "success" ||
      event.type === "failure" ||
      event.type === "partial"
    ) {
      progress.delete(event.job);
    }
  });
  return { progress, stop };
}

export function registerJobRoutes(app: Hono, context: DashboardContext, progress: ProgressByJob): void {
  app.get("/api/jobs", (c) => {
    const config = context.daemon.scheduler.config;
    const now = context.now();
    const jobs = context.daemon.status().jobs.map((status) =>
      jobView(
        status,
        config?.jobs.find((job) => job.name === status.job),
        progress.get(status.job),
        now,
      ),
    );
    return sendJson(c, context, { jobs, at: new Date(now).toISOString() });
  });

  app.get("/api/jobs/:job/history", async (c) => {
    const job = c.req.param("job");
    if (!findStatus(context, job)) return sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${job}"`);
    const limitText = c.req.query("limit");
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMIT_MAX) {
      return sendError(
        c,
        context,
        400,
        "BAD_REQUEST",
        `limit must be a whole number from 1 to ${HISTORY_LIMIT_MAX}`,
      );
    }
    const beforeText = c.req.query("before");
    const before = beforeText === undefined ? undefined : Date.parse(beforeText);
    if (before !== undefined && Number.isNaN(before)) {
      return sendError(
        c,
        context,
        400,
        "BAD_REQUEST",
        "before must be an ISO time, such as 2026-01-31T12:00:00Z",
      );
    }
    // Newest first, as a table pages through it: `before` is the oldest startedAt of the page shown.
    // A job's runs never overlap, so those that finished before the page's oldest start are exactly
    // those that started before it: the store reads only the months it needs, never the whole year.
    const records = await context.daemon.history(
      before === undefined ? { job, limit } : { job, limit, until: new Date(before) },
    );
    const page = records
      .filter((record) => before === undefined || Date.parse(record.startedAt) < before)
      .slice(-limit)
      .reverse();
    return sendJson(c, context, { job, runs: page });
  });

  app.get("/api/jobs/:job/runs/:runId/log", async (c) => {
    const job = c.req.param("job");
    const runId = c.req.param("runId");
    if (!findStatus(context, job)) return sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${job}"`);
    // Run ids are UUIDs; anything else cannot name a run, and is refused before the disk is asked.
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(runId)) {
      return sendError(c, context, 404, "RUN_NOT_FOUND", `no run "${runId}" of "${job}"`);
    }
    const file = await findRunLog(context.stateDir, job, runId);
    if (!file)
      return sendError(c, context, 404, "RUN_NOT_FOUND", `no log of run "${runId}" of "${job}" (pruned?)`);
    const { text, truncated } = await readTail(file, LOG_TAIL_BYTES);
    return c.body(scrubberOf(context).text(text), 200, {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      ...(truncated ? { "X-Simplebackup-Truncated": "1" } : {}),
    });
  });

  app.post("/api/jobs/:job/run", (c) => {
    const job = c.req.param("job");
    if (!findStatus(context, job)) return sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${job}"`);
    // The run's outcome arrives as events; the request only starts it (a backup can take hours).
    context.daemon.runNow(job).catch(() => {});
    return sendJson(c, context, { job, queued: true }, 202);
  });

  app.post("/api/jobs/:job/cancel", (c) => {
    const job = c.req.param("job");
    if (!findStatus(context, job)) return sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${job}"`);
    return sendJson(c, context, { job, cancelled: context.daemon.cancel(job) });
  });

  for (const task of ["check", "drill"] as const) {
    app.post(`/api/jobs/:job/${task}`, (c) => {
      const job = c.req.param("job");
      if (!findStatus(context, job)) return sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${job}"`);
      const maintainNow = context.daemon.maintainNow;
      if (!maintainNow) {
        return sendError(c, context, 501, "NOT_OFFERED", `this daemon cannot run a ${task} on demand`);
      }
      // Like a run: the outcome (check-done, drill-done or a failure) arrives as events.
      if (!maintainNow.call(context.daemon, job, task)) {
        return sendError(
          c,
          context,
          409,
          "ALREADY_QUEUED",
          `a ${task} of "${job}" is queued or running already`,
        );
      }
      return sendJson(c, context, { job, task, queued: true }, 202);
    });
  }

  const answer = answerTyped(context);
  app.post("/api/jobs/:job/unlock", (c) =>
    answer(c, async () => {
      const job = c.req.param("job");
      if (!findStatus(context, job)) return sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${job}"`);
      const unlock = context.daemon.unlock;
      if (!unlock) {
        return sendError(c, context, 501, "NOT_OFFERED", "this daemon cannot remove stale locks on demand");
      }
      // Unlike a run, the answer waits for restic (seconds): what was removed and what stays is the
      // answer. A page closed meanwhile stops restic. A second click while it runs: REPOSITORY_BUSY, 409.
      const result = await unlock.call(context.daemon, job, { signal: c.req.raw.signal });
      return sendJson(c, context, { unlock: unlockView(result) });
    }),
  );
}

/** The last `maxBytes` of a file, from its first whole line on. */
async function readTail(file: string, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    let text = buffer.toString("utf8");
    if (start > 0) text = text.slice(text.indexOf("\n") + 1);
    return { text, truncated: start > 0 };
  } finally {
    await handle.close();
  }
}
