import { readRunSummaries } from "./history-summary.js";
import type { JobStateStore } from "./job-state.js";
import { foldRun, type JobRunSummary } from "./run-summary.js";

const RUN_KEYS = ["lastAttempt", "lastSuccess", "lastPartial"] as const;

/**
 * `simplebackup backup` run while no daemon was up writes only the history; folding those runs into the
 * daemon's job state at start makes a success there count for catch-up too, so a backup made by hand
 * is not repeated at the next start. Jobs the daemon has never seen are left alone (nothing to catch up).
 */
export async function foldInOneShotRuns(
  store: JobStateStore,
  stateDir: string,
  jobNames: readonly string[],
): Promise<void> {
  const runs = await readRunSummaries(stateDir).catch(() => new Map<string, JobRunSummary>());
  for (const name of jobNames) {
    const state = store.get(name);
    const seen = runs.get(name);
    if (!state || !seen) continue;
    const runsSeen = [seen.lastAttempt, seen.lastSuccess, seen.lastPartial].filter((r) => r !== undefined);
    const next = runsSeen.reduce((job, run) => foldRun(job, run), state);
    if (RUN_KEYS.every((key) => next[key] === state[key])) continue;
    await store.update(name, (current) => runsSeen.reduce((job, run) => foldRun(job, run), current ?? state));
  }
}
