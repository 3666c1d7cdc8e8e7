// Embedding simplebackup in a Node app: the whole daemon in one call, its typed events, a notifier of the
// app's own, and one run now.
//
//   node examples/embed/index.mjs --config FILE [--state-dir DIR] [--job NAME]
//
// --config and --state-dir fall back to $SIMPLEBACKUP_CONFIG and $SIMPLEBACKUP_STATE_DIR. It backs up
// one job (the first unless --job names one), then stops. Exit code: 0 success, 3 partial, 1 failure,
// 2 usage or config mistake, as the simplebackup CLI.
import { parseArgs } from "node:util";
import { createDaemon } from "@simplebackup/daemon";
import { defineNotifier } from "@simplebackup/notifier";
import { isSimplebackupError, shortId } from "simplebackup";

const { values } = parseArgs({
  options: {
    config: { type: "string" },
    "state-dir": { type: "string" },
    job: { type: "string" },
  },
});
const configPath = values.config ?? process.env.SIMPLEBACKUP_CONFIG;
if (!configPath) {
  console.error("usage: node examples/embed/index.mjs --config FILE [--state-dir DIR] [--job NAME]");
  process.exit(2);
}

// A notifier is { name, on, notify(event) }. This one writes to stderr; a real one posts to a chat, sends
// a mail or pings a health check (@simplebackup/notifier has webhook, ntfy, healthchecks, desktop, …).
const consoleNotifier = defineNotifier({
  name: "console",
  on: ["success", "partial", "failure"],
  notify(event) {
    const what = event.type === "failure" ? `failed: [${event.code}] ${event.message}` : event.type;
    console.error(`[notify:console] ${event.job} ${what}`);
  },
});

// The daemon: the scheduler on the config file, the config's own notifiers and metrics file, and ours.
// The hub behind `notifiers` hands each event to them off the scheduler's call: a slow or throwing
// notifier never delays or fails a backup. stateDir is where run history, logs and the daemon lock
// live; by default the per-user state folder.
const stateDir = values["state-dir"] ?? process.env.SIMPLEBACKUP_STATE_DIR;
const daemon = createDaemon({ configPath, stateDir, watchConfig: false, notifiers: [consoleNotifier] });
const { scheduler } = daemon;

// Every event is one readonly object with job, runId and at.
let shownPercent = -1;
scheduler.on("start", (event) => {
  shownPercent = -1;
  console.log(`start    ${event.job}: ${event.sources.join(", ")} -> ${event.repository}`);
});
scheduler.on("repository-initialized", (event) => {
  console.log(`init     ${event.job}: created the repository ${event.repository}`);
});
scheduler.on("progress", (event) => {
  // restic reports up to 60 times a second: print each whole percent once.
  const percent = Math.floor(event.percentDone * 100);
  if (percent === shownPercent) return;
  shownPercent = percent;
  console.log(
    `progress ${event.job}: ${percent}% (${event.filesDone}/${event.totalFiles} files, ${bytes(event.bytesDone)} of ${bytes(event.totalBytes)})`,
  );
});
// An event's snapshotId is restic's: 8 hex characters from restic 0.14, the full 64 from 0.15 on.
// shortId gives the 8 that people read, as restic prints them.
scheduler.on("success", (event) => {
  const { stats } = event;
  console.log(
    `success  ${event.job}: snapshot ${shortId(event.snapshotId)}, ${stats.filesNew} new, ${stats.filesChanged} changed, ` +
      `${stats.filesUnmodified} unchanged files, ${bytes(stats.dataAdded)} added in ${(event.durationMs / 1000).toFixed(1)} s`,
  );
});
scheduler.on("partial", (event) => {
  const missing = [...event.missingSources, ...event.unreadable.map((entry) => entry.path)];
  console.log(`partial  ${event.job}: snapshot ${shortId(event.snapshotId)} lacks ${missing.join(", ")}`);
});
scheduler.on("failure", (event) => console.log(`failure  ${event.job}: [${event.code}] ${event.message}`));
scheduler.on("retention-done", (event) => {
  console.log(`forget   ${event.job}: kept ${event.kept}, removed ${event.removed} snapshot(s)`);
});

let exitCode = 1;
try {
  await daemon.start();
  const job = values.job ?? daemon.status().jobs[0]?.job;
  console.log(`running ${job} now (state: ${stateDir ?? "the per-user state folder"})`);
  const result = await daemon.runNow(job);
  exitCode = { success: 0, partial: 3 }[result?.status] ?? 1;
} catch (error) {
  // A broken config or an unknown job is the caller's mistake (2); anything else is a failure (1).
  if (!isSimplebackupError(error)) throw error;
  console.error(`error [${error.code}]: ${error.message}`);
  exitCode = error.code.startsWith("CONFIG_") || error.code === "JOB_NOT_FOUND" ? 2 : 1;
} finally {
  await daemon.stop(); // delivers the notifications still queued
}
process.exitCode = exitCode;

function bytes(count) {
  if (count < 1024) return `${count} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = count;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
