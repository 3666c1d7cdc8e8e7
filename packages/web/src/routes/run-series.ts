import type { Hono } from "hono";
import { type DashboardContext, sendError, sendJson } from "../context.js";
import { buildRunSeries, runSeriesBuilder } from "../run-series.js";

/** What a plot covers when the page names no start: the year the history keeps. */
const DEFAULT_SPAN_MS = 366 * 24 * 3_600_000;

/** GET /api/jobs/:job/series?since=: a job's runs as columns for the plots (run-series.ts). */
export function registerRunSeriesRoute(app: Hono, context: DashboardContext): void {
  app.get("/api/jobs/:job/series", async (c) => {
    const job = c.req.param("job");
    if (!context.daemon.status().jobs.some((status) => status.job === job)) {
      return sendError(c, context, 404, "JOB_NOT_FOUND", `no job "${job}"`);
    }
    const sinceText = c.req.query("since");
    const since = new Date(sinceText === undefined ? context.now() - DEFAULT_SPAN_MS : Date.parse(sinceText));
    if (Number.isNaN(since.getTime())) {
      return sendError(
        c,
        context,
        400,
        "BAD_REQUEST",
        "since must be an ISO time, such as 2026-01-31T12:00:00Z",
      );
    }
    // The store reads only the months from `since` on; a year is what it keeps. A daemon that can
    // visit its history hands the runs over one at a time, so a year is never whole in memory.
    const { daemon } = context;
    if (daemon.visitHistory) {
      const builder = runSeriesBuilder(job, since);
      await daemon.visitHistory({ job, since }, builder.add);
      return sendJson(c, context, builder.series);
    }
    return sendJson(c, context, buildRunSeries(job, since, await daemon.history({ job, since })));
  });
}
