import {
  type BackupEvent,
  type BackupProgressEvent,
  formatBytes,
  formatCount,
  formatHumanDuration,
  NO_CHANGES_NO_SNAPSHOT,
  plural,
  shortId,
} from "@simplebackup/core";
import { formatBackupSize } from "./format.js";

interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Turns backup events into text for a person. On a terminal progress redraws one line; elsewhere
 * (a log, a pipe) each step gets one line and progress is left out.
 */
export function createHumanReporter(out: Output): (event: BackupEvent) => void {
  const live = out.isTTY === true;
  let progressShown = false;
  const line = (text: string) => {
    if (progressShown) out.write("\r\x1b[2K");
    progressShown = false;
    out.write(`${text}\n`);
  };
  // Core reports a run's outcome after its retention (a run whose retention failed is no success), so
  // retention-done comes first; a person reads the snapshot first, then what retention did after it.
  let retention: string | undefined;
  let outcomeShown = false;
  const flushRetention = () => {
    if (retention !== undefined) line(retention);
    retention = undefined;
  };

  return (event) => {
    switch (event.type) {
      case "start":
        outcomeShown = false;
        line(
          `${event.job}: backing up ${[...event.sources, ...(event.databases ?? []).map((d) => `database ${d}`)].join(", ")} to ${event.repository}`,
        );
        return;
      case "progress":
        if (live) {
          out.write(`\r\x1b[2K${describeProgressLine(event)}`);
          progressShown = true;
        }
        return;
      case "repository-initialized":
        line(`${event.job}: created a new repository at ${event.repository}`);
        return;
      case "success":
      case "partial": {
        const verdict = event.type === "success" ? "done" : "PARTIAL: some data is not in the snapshot";
        const made = event.unchanged ? NO_CHANGES_NO_SNAPSHOT : `snapshot ${shortId(event.snapshotId)}`;
        line(`${event.job}: ${verdict}, ${made}, took ${formatHumanDuration(event.durationMs)}`);
        line(`  ${formatBackupSize(event.stats)}`);
        for (const dumped of event.databases ?? []) {
          line(
            `  database ${dumped.database}: snapshot ${shortId(dumped.snapshotId)}, ${formatBytes(dumped.bytes)} dumped`,
          );
        }
        if (event.type === "partial") {
          for (const path of event.missingSources) line(`  missing source: ${path}`);
          for (const item of event.unreadable) line(`  could not read: ${item.path} (${item.message})`);
          for (const failed of event.failedDatabases ?? [])
            line(`  FAILED [${failed.code}] ${failed.message}`);
          if (event.retentionSkipped) line(`  ${event.retentionSkipped}`);
        }
        outcomeShown = true;
        flushRetention();
        return;
      }
      case "retention-done":
        retention = `${event.job}: retention kept ${plural(event.kept, "snapshot")}, removed ${event.removed}`;
        if (outcomeShown) flushRetention();
        return;
      case "skipped":
        line(`${event.job}: skipped: ${event.message}`);
        return;
      case "stale-lock-removed":
        line(`${event.job}: removed a stale lock left by PID ${event.holderPid} on ${event.holderHost}`);
        return;
      case "failure":
        flushRetention();
        line(`${event.job}: FAILED during ${event.phase} [${event.code}]: ${event.message}`);
        // The run's error is the first database's; each other one that failed says why too.
        for (const failed of (event.failedDatabases ?? []).slice(1)) {
          line(`  FAILED [${failed.code}] ${failed.message}`);
        }
        return;
    }
  };
}

export function describeProgressLine(event: BackupProgressEvent): string {
  const percent = `${(event.percentDone * 100).toFixed(1)}%`;
  const files = `${formatCount(event.filesDone)}/${formatCount(event.totalFiles)} files`;
  const bytes = `${formatBytes(event.bytesDone)}/${formatBytes(event.totalBytes)}`;
  const eta =
    event.secondsRemaining !== undefined ? `  ETA ${formatHumanDuration(event.secondsRemaining * 1000)}` : "";
  const errors = event.errorCount > 0 ? `  ${event.errorCount} unreadable` : "";
  return `${event.job}: ${percent}  ${files}  ${bytes}${eta}${errors}`;
}
