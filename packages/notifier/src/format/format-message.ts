import {
  type BackupFailureEvent,
  type BackupStats,
  type DatabaseSnapshot,
  formatBytes,
  formatCount,
  formatHumanDuration,
  formatLocalTime,
  NO_CHANGES_NO_SNAPSHOT,
  plural,
  shortId,
} from "@simplebackup/core";
import type { NotifiableEvent } from "../events.js";
import { copyHintFor, describeReason, reasonFor } from "./reasons.js";

export type Severity = "info" | "success" | "warning" | "error";

/** One notification as a person reads it; every notifier that shows text uses this. */
export interface FormattedMessage {
  readonly title: string;
  /** Plain text, lines separated by "\n". */
  readonly body: string;
  readonly severity: Severity;
}

const PHASE_WORDS: Record<string, string> = {
  backup: "backup",
  init: "repository init",
  retention: "retention",
  hook: "hook",
  check: "repository check",
  drill: "restore drill",
};

/** Titles of a run that waits for its `when`, by the condition that does not hold. */
const WAITS_FOR: Record<string, string> = {
  on_ac_power: "backup waits for mains power",
  path_exists: "backup waits for its drive",
  reachable: "backup waits for the repository's server",
  command: "backup waits for its when command",
};

/** Paths listed in a partial-backup message before "… and N more". */
const MAX_LISTED = 10;

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/**
 * Turns any event into a title, body and severity a person can act on. Sizes, counts, durations and
 * times read as in the CLI and the daemon's log: core's formatters write them all.
 */
export function formatMessage(event: NotifiableEvent): FormattedMessage {
  const job = event.job === "*" ? "simplebackup" : event.job;
  const message = (title: string, lines: (string | undefined | false)[], severity: Severity) => ({
    title: `${job}: ${title}`,
    body: lines.filter((line): line is string => typeof line === "string" && line !== "").join("\n"),
    severity,
  });

  switch (event.type) {
    case "start":
      return message(
        "backup started",
        [
          `Backing up ${[...event.sources, ...(event.databases ?? []).map((d) => `database ${d}`)].join(", ")} to ${event.repository}.`,
        ],
        "info",
      );
    case "progress":
      return message(
        `${Math.floor(event.percentDone * 100)}% backed up`,
        [
          `${formatCount(event.filesDone)} of ${formatCount(event.totalFiles)} files, ${formatBytes(event.bytesDone)} of ${formatBytes(event.totalBytes)}.`,
          event.secondsRemaining !== undefined &&
            `About ${formatHumanDuration(event.secondsRemaining * 1000)} left.`,
          event.errorCount > 0 && `${plural(event.errorCount, "file")} could not be read so far.`,
        ],
        "info",
      );
    case "repository-initialized":
      return message(
        "new repository created",
        [`Created a restic repository at ${event.repository}.`],
        "info",
      );
    case "success":
      return message(
        event.unchanged ? `backup succeeded, ${NO_CHANGES_NO_SNAPSHOT}` : "backup succeeded",
        [
          event.unchanged &&
            "Nothing changed since the last snapshot, which holds exactly what a new one would; restic made none.",
          ...databaseLines(event.databases),
          ...statsLines(event.stats, event.durationMs, event.snapshotId),
        ],
        "success",
      );
    case "partial": {
      const skipped = [
        ...(event.failedDatabases ?? []).map((failed) => `- ${failed.message}`),
        ...event.unreadable.map((item) => `- ${item.path} (${item.message})`),
        ...event.missingSources.map((path) => `- ${path} (source missing)`),
      ];
      const count = skipped.length;
      const failedDatabases = event.failedDatabases?.length ?? 0;
      const paths = count - failedDatabases;
      const what = [
        failedDatabases > 0 && plural(failedDatabases, "database"),
        paths > 0 && plural(paths, "path"),
      ].filter((part) => part !== false);
      return message(
        `backup incomplete, ${what.join(" and ")} not backed up`,
        [
          event.unchanged
            ? `Nothing changed since the last snapshot (${NO_CHANGES_NO_SNAPSHOT}), which lacks the same:`
            : "The snapshot was saved, but these were not backed up:",
          ...skipped.slice(0, MAX_LISTED),
          count > MAX_LISTED && `… and ${count - MAX_LISTED} more (see the run log).`,
          // Older cores did not send the field; the notifier then says nothing about retention.
          typeof event.retentionSkipped === "string" &&
            `${event.retentionSkipped}: no snapshot was removed, so older ones still hold what this one lacks.`,
          ...databaseLines(event.databases),
          ...statsLines(event.stats, event.durationMs, event.snapshotId),
        ],
        "warning",
      );
    }
    case "failure": {
      const { words, hint } = reasonFor(event.code);
      const what = PHASE_WORDS[event.phase] ?? event.phase;
      return message(
        `${what} failed: ${words}`,
        [
          describeReason(event.code, event.message),
          // The run's error is the first database's; every other one that failed is said too.
          ...(event.failedDatabases ?? []).slice(1).map((failed) => `Also: ${failed.message}`),
          event.phase === "retention" &&
            event.snapshotId !== undefined &&
            `The backup made snapshot ${shortId(event.snapshotId)}, but removing old snapshots failed, so the run counts as failed; a retry or the next backup applies the retention.`,
          hint,
          attemptLine(event),
          `Failed after ${formatHumanDuration(event.durationMs)}${event.exitCode === undefined ? "" : ` (restic exit code ${event.exitCode})`}.`,
        ],
        "error",
      );
    }
    case "retry":
      return message(
        `attempt ${event.attempt} of ${event.maxAttempts} failed, retrying`,
        [
          describeReason(event.code, event.message),
          `Next attempt at ${formatLocalTime(event.nextAttemptAt)} (in ${formatHumanDuration(event.nextAttemptAt.getTime() - event.at.getTime())}).`,
        ],
        "warning",
      );
    case "retries-exhausted":
      return message(
        `backup failed after ${event.attempts} attempts`,
        [
          describeReason(event.code, event.message),
          reasonFor(event.code).hint,
          "No more retries until the next scheduled run.",
        ],
        "error",
      );
    case "retention-done":
      return message(
        "old snapshots removed",
        [`Kept ${plural(event.kept, "snapshot")}, removed ${formatCount(event.removed)}.`],
        "info",
      );
    case "stale-lock-removed":
      return message(
        "stale repository lock removed",
        [
          `A lock left by process ${event.holderPid} on ${event.holderHost} ${
            event.reason === "holder-gone" ? "that no longer runs" : "older than the limit"
          } was removed with restic unlock.`,
        ],
        "info",
      );
    case "scheduled":
      return message(
        `next backup at ${formatLocalTime(event.nextRunAt)}`,
        [event.reason === "catch-up" && "It catches up a run missed while not running."],
        "info",
      );
    case "skipped":
      // A run that waits for its conditions is owed, not lost: no warning for a laptop on battery.
      if (event.reason === "conditions") {
        return message(
          WAITS_FOR[event.condition ?? ""] ?? "backup waits for its conditions",
          [
            asSentence(event.message),
            "This is no failure; if the job goes without a backup for longer than its alert_after, a stale alert says so.",
          ],
          "info",
        );
      }
      return message("backup skipped", [event.message], "warning");
    case "copy-done":
      return message(
        event.copied === 0
          ? `copy to ${event.target} up to date`
          : `copied ${plural(event.copied, "snapshot")} to ${event.target}`,
        [
          event.copied === 0
            ? `The target ${event.target} (${event.repository}) already had every snapshot of ${job}.`
            : `Copied ${plural(event.copied, "snapshot")} to ${event.target} (${event.repository}).`,
          event.snapshotId !== undefined && `The newest snapshot there is ${shortId(event.snapshotId)}.`,
          event.initialized &&
            "The repository was created by this copy with the chunker parameters of the job's repository, so data deduplicates across both.",
          event.retention !== undefined &&
            `Retention there kept ${plural(event.retention.kept, "snapshot")}, removed ${formatCount(event.retention.removed)}.`,
          `Took ${formatHumanDuration(event.durationMs)}.`,
        ],
        "success",
      );
    case "copy-failed":
      return message(
        `copy to ${event.target} failed: ${reasonFor(event.code).words}`,
        [
          describeReason(event.code, event.message),
          copyHintFor(event.code, event.target),
          event.nextAttemptAt
            ? `The copy is tried again at ${formatLocalTime(event.nextAttemptAt)} (in ${formatHumanDuration(event.nextAttemptAt.getTime() - event.at.getTime())}); every snapshot ${event.target} lacks is copied then.`
            : "No retry is planned: the daemon is stopping, or the target left the config.",
          `The backups of ${job} go on as before; only its copy to ${event.target} is behind.`,
          `Failed after ${formatHumanDuration(event.durationMs)}.`,
        ],
        "warning",
      );
    case "copy-lagging":
      return message(
        `copy to ${event.target} lags ${formatHumanDuration(event.at.getTime() - event.behindSince.getTime())} behind`,
        [
          asSentence(event.message),
          `It has lagged since ${formatLocalTime(event.behindSince)}; the alert is set to ${formatHumanDuration(event.alertAfterMs)}.`,
          `Check that ${event.target} is reachable and its password right: \`simplebackup status\` shows its last copy and error. Once a copy works again, every snapshot it missed arrives.`,
        ],
        "error",
      );
    case "waiting":
      return message("waiting for the repository", [`${event.message}.`], "info");
    case "config-reloaded":
      return message(
        "config reloaded",
        [
          event.file && `From ${event.file}.`,
          event.added.length > 0 && `Added: ${event.added.join(", ")}.`,
          event.removed.length > 0 && `Removed: ${event.removed.join(", ")}.`,
          event.changed.length > 0 && `Changed: ${event.changed.join(", ")}.`,
        ],
        "info",
      );
    case "config-invalid":
      return message(
        "config invalid, changes not applied",
        [
          event.file && `${event.file} has ${event.problems.length === 1 ? "a problem" : "problems"}:`,
          ...event.problems.slice(0, MAX_LISTED).map((problem) => `- ${problem}`),
          event.problems.length > MAX_LISTED && `… and ${event.problems.length - MAX_LISTED} more.`,
          "The previous config stays in force until the file is fixed; `simplebackup validate` lists every problem.",
        ],
        "error",
      );
    case "stale": {
      const last = event.lastSuccessAt;
      return message(
        last
          ? `no successful backup for ${formatHumanDuration(event.at.getTime() - last.getTime())}`
          : "no successful backup yet",
        [
          last
            ? `The last success was at ${formatLocalTime(last)}; the alert is set to ${formatHumanDuration(event.alertAfterMs)}.`
            : `No successful backup is on record; the alert is set to ${formatHumanDuration(event.alertAfterMs)}.`,
          "Check that the machine is on, the daemon runs (`simplebackup status`) and recent runs did not fail.",
        ],
        "error",
      );
    }
    case "recovered":
      return message(
        "backups work again",
        [`A backup succeeded again; it had been overdue since ${formatLocalTime(event.staleSinceAt)}.`],
        "success",
      );
    default: {
      // A type core emits that has no words here yet (check-done, drill-done, or newer): its type in
      // words and core's own sentence say enough.
      const other = event as {
        readonly type: string;
        readonly message?: unknown;
        readonly durationMs?: unknown;
      };
      return message(
        other.type.replaceAll("-", " "),
        [
          typeof other.message === "string" && other.message,
          isNumber(other.durationMs) && `Took ${formatHumanDuration(other.durationMs)}.`,
        ],
        "info",
      );
    }
  }
}

/** Core's sentences start in lower case to fit after a colon; a body line starts a sentence. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function statsLines(stats: BackupStats, durationMs: number, snapshotId: string | undefined): string[] {
  return [
    `${plural(stats.totalFilesProcessed, "file")} processed (${formatCount(stats.filesNew)} new, ${formatCount(stats.filesChanged)} changed).`,
    `${formatBytes(stats.dataAdded)} added, ${formatBytes(stats.totalBytesProcessed)} in total.`,
    `Took ${formatHumanDuration(durationMs)}${snapshotId ? `; snapshot ${shortId(snapshotId)}` : ""}.`,
  ];
}

/** One line per database dumped: which, into which snapshot, how big. */
function databaseLines(databases: readonly DatabaseSnapshot[] | undefined): string[] {
  return (databases ?? []).map(
    (dumped) =>
      `Database ${dumped.database}: ${formatBytes(dumped.bytes)} dumped into snapshot ${shortId(dumped.snapshotId)}.`,
  );
}

/** Which attempt failed, when the job retries; core leaves the fields out when it does not. */
function attemptLine(event: BackupFailureEvent): string | undefined {
  const { attempt, maxAttempts } = event;
  if (attempt === undefined || maxAttempts === undefined || maxAttempts <= 1) return undefined;
  return `Attempt ${attempt} of ${maxAttempts}.`;
}
