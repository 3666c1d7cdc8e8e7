import type { ConfigInvalidEvent, SchedulerEvent } from "@simplebackup/core";
import type { Hono } from "hono";
import { type DashboardContext, sendError, sendJson } from "../context.js";
import { configView } from "../secrets.js";

/** The config file's problems as the daemon last found them on a reload; the daemon runs the old config meanwhile. */
export interface ConfigProblemsView {
  readonly file: string | null;
  readonly at: string;
  /** `path: message` lines, as `simplebackup validate` prints them. */
  readonly problems: readonly string[];
}

/**
 * GET /api/config: the config in use, masked, and the problems of the file on disk when a reload
 * refused it. A user who saved a typo sees it here, with its place, instead of wondering why the
 * change never took: the daemon keeps the config it last read until the file is fixed.
 */
export function registerConfigRoute(app: Hono, context: DashboardContext): () => void {
  let invalid: ConfigInvalidEvent | undefined;
  const stop = context.daemon.subscribe((event: SchedulerEvent) => {
    if (event.type === "config-invalid") invalid = event;
    else if (event.type === "config-reloaded") invalid = undefined;
  });
  app.get("/api/config", (c) => {
    const config = context.daemon.scheduler.config;
    if (!config) return sendError(c, context, 503, "NOT_STARTED", "the daemon has not read its config yet");
    const problems: ConfigProblemsView | null = invalid
      ? {
          file: invalid.file ?? null,
          at: new Date(invalid.at).toISOString(),
          problems: [...invalid.problems],
        }
      : null;
    return sendJson(c, context, { config: configView(config), problems });
  });
  return stop;
}
