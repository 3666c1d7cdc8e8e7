import {
  type CopyDoneEvent,
  formatHumanDuration,
  formatLocalTime,
  NO_CHANGES_NO_SNAPSHOT,
  plural,
  type SchedulerEvent,
  shortId,
} from "@simplebackup/core";
import { formatBackupSize } from "./format.js";

/**
 * One line per event for a daemon's log: when, which job, what happened and the numbers that matter.
 * Progress is not an event line; a terminal shows it separately.
 */
export function formatEventLine(event: SchedulerEvent): string | undefined {
  const text = describe(event);
  if (text === undefined) return undefined;
  const who = event.job === "*" ? "" : ` [${event.job}]`;
  return `${formatLocalTime(event.at)}${who} ${text}`;
}

function describe(event: SchedulerEvent): string | undefined {
  switch (event.type) {
    case "scheduled":
      return `next run at ${formatLocalTime(event.nextRunAt)}${event.reason === "catch-up" ? " (catching up a missed slot)" : ""}`;
    case "start": {
      const databases = event.databases?.length ? ` and ${plural(event.databases.length, "database")}` : "";
      return `backup started: ${plural(event.sources.length, "source")}${databases} to ${event.repository}`;
    }
    case "progress":
      return undefined;
    case "repository-initialized":
      return `created repository ${event.repository}`;
    case "success":
    case "partial": {
      const head = event.type === "success" ? "success" : "PARTIAL";
      const parts = [
        `${head}: ${event.unchanged ? NO_CHANGES_NO_SNAPSHOT : `snapshot ${shortId(event.snapshotId)}`} in ${formatHumanDuration(event.durationMs)}`,
        formatBackupSize(event.stats),
      ];
      if (event.databases?.length) parts.push(`${plural(event.databases.length, "database")} dumped`);
      if (event.type === "partial") {
        const missing = event.missingSources.map((p) => `missing ${p}`);
        const unreadable = event.unreadable.map((u) => `unreadable ${u.path}`);
        const databases = (event.failedDatabases ?? []).map(
          (d) => `database ${d.database} failed [${d.code}]`,
        );
        parts.push([...missing, ...unreadable, ...databases].join("; "));
        if (event.retentionSkipped) parts.push(event.retentionSkipped);
      }
      return parts.join("; ");
    }
    case "failure": {
      // The run's error names the first database that failed; the others follow.
      const others = (event.failedDatabases ?? [])
        .slice(1)
        .map((d) => `; database ${d.database} failed [${d.code}]`);
      return `FAILED during ${event.phase} [${event.code}]: ${event.message}${others.join("")}`;
    }
    case "retry":
      return `will retry at ${formatLocalTime(event.nextAttemptAt)} (attempt ${event.attempt + 1} of ${event.maxAttempts}) after ${event.code}`;
    case "retries-exhausted":
      return `GAVE UP after ${event.attempts} attempts [${event.code}]: ${event.message}`;
    case "retention-done":
      return `retention: kept ${plural(event.kept, "snapshot")}, removed ${event.removed}`;
    case "stale-lock-removed":
      return `removed a stale lock of PID ${event.holderPid} on ${event.holderHost}`;
    case "skipped":
      // For `conditions` core's message says what is missing and that the run is owed.
      return `skipped: ${event.message}`;
    case "waiting":
      return `${event.task}: ${event.message}`;
    case "check-done":
    case "drill-done":
      return `${event.message} (${formatHumanDuration(event.durationMs)})`;
    case "stale":
      return `STALE: ${event.message}`;
    case "recovered":
      // A run that found nothing changed recovers too, with no new snapshot to name.
      return `recovered: ${event.snapshotId ? `snapshot ${shortId(event.snapshotId)}` : "a backup succeeded"} after being stale since ${formatLocalTime(event.staleSinceAt)}`;
    case "copy-done":
      return describeCopyDone(event);
    case "copy-failed":
      return `copy to ${event.target} failed: [${event.code}] ${event.message}; ${
        event.nextAttemptAt ? `next try at ${formatLocalTime(event.nextAttemptAt)}` : "no retry planned"
      }`;
    case "copy-lagging":
      return `copy to ${event.target} LAGGING since ${formatLocalTime(event.behindSince)}: ${event.message}`;
    case "config-reloaded":
      return `config reloaded: ${describeChanges(event.added, event.removed, event.changed)}`;
    case "config-invalid":
      return `config INVALID, still running the last good one:\n  ${event.problems.join("\n  ")}`;
  }
}

/** `copied 3 snapshots to offsite (b2f1a9c0 newest) in 1m 2s; retention there: kept 14, removed 1` */
function describeCopyDone(event: CopyDoneEvent): string {
  const newest = event.snapshotId === undefined ? "" : ` (${shortId(event.snapshotId)} newest)`;
  const parts = [
    event.copied === 0
      ? `copy to ${event.target}: up to date${newest}`
      : `copied ${plural(event.copied, "snapshot")} to ${event.target}${newest} in ${formatHumanDuration(event.durationMs)}`,
  ];
  if (event.initialized) parts.push(`created ${event.repository}`);
  if (event.retention) {
    parts.push(`retention there: kept ${event.retention.kept}, removed ${event.retention.removed}`);
  }
  return parts.join("; ");
}

function describeChanges(
  added: readonly string[],
  removed: readonly string[],
  changed: readonly string[],
): string {
  const parts = [
    added.length ? `added ${added.join(", ")}` : "",
    removed.length ? `removed ${removed.join(", ")}` : "",
    changed.length ? `changed ${changed.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "no job changed";
}
