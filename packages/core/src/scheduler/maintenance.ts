import { randomUUID } from "node:crypto";
import { runCheck } from "../actions/check.js";
import { runDrill } from "../actions/drill.js";
import { startRunRecording } from "../backup/run-recorder.js";
import type { BackupJob } from "../config/types.js";
import { asSimplebackupError, type SimplebackupError } from "../errors.js";
import type { SchedulerEvent } from "../events.js";
import { nextCheckSubset } from "../restic/commands/check.js";
import type { ResticProvider } from "../restic/restic-provider.js";
import type { AttemptContext, RecordingOptions } from "./attempt-runner.js";
import type { MaintenanceTask } from "./job-timeline.js";

export interface MaintenanceContext extends AttemptContext {
  /** For checks: the group of data packs to read this time (`n/t`), rotating over the runs. */
  readonly readDataSubset: string | undefined;
}

/** `ok: false` is a failure (errors found, files mismatched); a thrown SimplebackupError is one too. */
export interface MaintenanceOutcome {
  readonly ok: boolean;
  readonly message: string;
}

/** One check or drill. The default runs restic; tests may replace it. */
export type RunMaintenance = (
  task: MaintenanceTask,
  job: BackupJob,
  context: MaintenanceContext,
) => Promise<MaintenanceOutcome>;

export interface MaintenanceRunnerOptions extends RecordingOptions {
  readonly emit: (event: SchedulerEvent) => void;
  readonly runMaintenance: RunMaintenance;
}

/**
 * A scheduled check or drill: its own run id and log file, a `check-done`/`drill-done` event when the
 * repository is sound and a failure event like a backup's when it is not. A check reads the next group
 * of data each time, remembered in the job's state.
 */
export async function runScheduledMaintenance(
  job: BackupJob,
  task: MaintenanceTask,
  signal: AbortSignal,
  options: MaintenanceRunnerOptions,
): Promise<void> {
  const { store, now, emit } = options;
  const runId = randomUUID();
  const startedAt = now();
  const readDataSubset =
    task === "check" && job.check
      ? nextCheckSubset(store?.get(job.name)?.lastCheckSubset, job.check.readDataGroups)
      : undefined;
  const recorder = await startRunRecording(options.stateDir, job.name, runId, startedAt, options.keepLogs);
  recorder.log(
    `${task} ${runId} of ${job.name}${readDataSubset ? `, reading data group ${readDataSubset}` : ""}`,
  );
  let outcome: MaintenanceOutcome | SimplebackupError;
  try {
    outcome = await options.runMaintenance(task, job, {
      runId,
      signal,
      emit,
      log: (line) => recorder.log(line),
      now,
      readDataSubset,
    });
  } catch (error) {
    outcome = asSimplebackupError(error);
  }
  const ok = !(outcome instanceof Error) && outcome.ok;
  const durationMs = now().getTime() - startedAt.getTime();
  recorder.log(outcome instanceof Error ? `${task} failed: ${outcome.message}` : outcome.message);
  await recorder.close();
  const context = { job: job.name, runId, at: now(), durationMs, message: outcome.message };
  if (ok) {
    emit({ type: `${task}-done`, ...context });
  } else {
    const code = outcome instanceof Error ? outcome.code : task === "check" ? "CHECK_FAILED" : "DRILL_FAILED";
    if (code === "INTERRUPTED") return;
    emit({ type: "failure", ...context, phase: task, code, exitCode: undefined, snapshotId: undefined });
  }
  if (readDataSubset) {
    await store?.patch(job.name, startedAt, { lastCheckSubset: readDataSubset });
  }
}

/** The default check and drill: restic, through the scheduler's provider. */
export function maintainWithRestic(restic: ResticProvider, env: NodeJS.ProcessEnv): RunMaintenance {
  return async (task, job, context) => {
    const options = { restic: await restic.get(), env, signal: context.signal, log: context.log };
    if (task === "check") {
      const result = await runCheck(job, { ...options, readDataSubset: context.readDataSubset });
      const read = result.read ? `; ${result.read}` : "";
      return result.ok
        ? { ok: true, message: `repository checked: no errors${read}` }
        : { ok: false, message: `restic check found errors: ${result.errors.slice(0, 3).join("; ")}` };
    }
    const result = await runDrill(job, { ...options, files: job.drill?.files ?? 10 });
    const counts = `${result.matched} matched, ${result.mismatched} mismatched, ${result.skipped} skipped, ${result.unreadable} unreadable`;
    return result.ok
      ? { ok: true, message: `restore drill passed: ${counts}` }
      : { ok: false, message: `restore drill FAILED: ${counts}` };
  };
}
