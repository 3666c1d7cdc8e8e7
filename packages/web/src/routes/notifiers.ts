import type { NotifierHubEntryDescription } from "@simplebackup/notifier";
import { redactOptions, safeDeliveryError } from "@simplebackup/notifier";
import type { Hono } from "hono";
import { type DashboardContext, sendJson } from "../context.js";
import type { NotifierView } from "../views.js";

/**
 * Field by field, as the job views are. The hub's description already masks secrets; the options
 * go through redactOptions once more with every URL path masked, as the config page does for
 * notifiers, since a chat webhook's path is its secret, and the last error's text through the hub's
 * own masking once more (it may have been read from an older version's file).
 */
export function notifierView(entry: NotifierHubEntryDescription): NotifierView {
  const { lastDelivery, lastError, delivered, failed } = entry.deliveries ?? {};
  return {
    name: entry.name,
    type: entry.type ?? null,
    on: entry.on ? [...entry.on] : null,
    jobs: entry.jobs ? [...entry.jobs] : null,
    options:
      entry.options === undefined ? null : (redactOptions(entry.options, "all") as Record<string, unknown>),
    lastDelivery: lastDelivery
      ? { at: lastDelivery.at, event: lastDelivery.event, job: lastDelivery.job }
      : null,
    lastError: lastError
      ? {
          at: lastError.at,
          event: lastError.event,
          job: lastError.job,
          error: safeDeliveryError(lastError.error),
        }
      : null,
    delivered: delivered ?? null,
    failed: failed ?? null,
  };
}

export function registerNotifierRoutes(app: Hono, context: DashboardContext): void {
  app.get("/api/notifiers", (c) =>
    sendJson(c, context, { notifiers: (context.daemon.status().notifiers ?? []).map(notifierView) }),
  );
}
