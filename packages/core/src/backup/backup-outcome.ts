import type { BackupStats, UnreadablePath } from "../events.js";
import { findSkippedSources } from "../restic/classify.js";
import {
  parseResticLine,
  type ResticMessage,
  type ResticStatusMessage,
  type ResticSummaryMessage,
} from "../restic/messages.js";
import type { ResticProcessResult } from "../restic/process.js";

/**
 * Said wherever a run that restic skipped is reported (`skip_if_unchanged`, restic 0.17+): the CLI,
 * the daemon's log, history and status, notifications.
 */
export const NO_CHANGES_NO_SNAPSHOT = "no changes, no new snapshot";

export type BackupOutcome =
  | { readonly kind: "failed"; readonly messages: readonly ResticMessage[] }
  | {
      readonly kind: "saved";
      readonly summary: ResticSummaryMessage;
      readonly unreadable: readonly UnreadablePath[];
      readonly missingSources: readonly string[];
    };

/** Reads what a finished `restic backup --json` did: saved a snapshot (wholly or partly) or not. */
export function readBackupOutcome(result: ResticProcessResult): BackupOutcome {
  const stdoutMessages = parseLines(result.stdout);
  const stderrMessages = parseLines(result.stderr);
  const summary = stdoutMessages.find((m): m is ResticSummaryMessage => m.message_type === "summary");
  // Exit 3: some source data could not be read, yet the snapshot was saved.
  if (!summary || (result.exitCode !== 0 && result.exitCode !== 3)) {
    return { kind: "failed", messages: [...stdoutMessages, ...stderrMessages] };
  }
  const missingSources = findSkippedSources(result.stderr);
  const unreadable = new Map<string, string>();
  for (const message of stderrMessages) {
    if (message.message_type !== "error" || !message.item) continue;
    if (missingSources.includes(message.item)) continue;
    // 0.14 reports an unreadable folder twice, once while scanning and once while archiving.
    if (!unreadable.has(message.item)) unreadable.set(message.item, message.message);
  }
  return {
    kind: "saved",
    summary,
    missingSources,
    unreadable: [...unreadable].map(([path, message]) => ({ path, message })),
  };
}

function parseLines(text: string): ResticMessage[] {
  const messages: ResticMessage[] = [];
  for (const line of text.split("\n")) {
    const message = parseResticLine(line);
    if (message) messages.push(message);
  }
  return messages;
}

export function toStats(summary: ResticSummaryMessage): BackupStats {
  return {
    filesNew: summary.files_new,
    filesChanged: summary.files_changed,
    filesUnmodified: summary.files_unmodified,
    dirsNew: summary.dirs_new,
    dirsChanged: summary.dirs_changed,
    dirsUnmodified: summary.dirs_unmodified,
    dataAdded: summary.data_added,
    totalFilesProcessed: summary.total_files_processed,
    totalBytesProcessed: summary.total_bytes_processed,
    resticSeconds: summary.total_duration,
  };
}

export function toProgress(message: ResticStatusMessage) {
  return {
    percentDone: message.percent_done,
    filesDone: message.files_done ?? 0,
    totalFiles: message.total_files ?? 0,
    bytesDone: message.bytes_done ?? 0,
    totalBytes: message.total_bytes ?? 0,
    secondsElapsed: message.seconds_elapsed ?? 0,
    secondsRemaining: message.seconds_remaining,
    errorCount: message.error_count ?? 0,
    currentFiles: message.current_files ?? [],
  };
}
