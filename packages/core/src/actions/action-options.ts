import { ResticError, SimplebackupError } from "../errors.js";
import type { JobResticSetup } from "../restic/job-restic.js";

/** What every action takes besides the job: what running restic for it takes, and the clock. */
export interface ActionOptions extends JobResticSetup {
  /** The clock its duration is measured with, as in `runBackup`. @default () => new Date() */
  readonly now?: () => Date;
}

/** Starts measuring an action with its injected clock; the function returns the milliseconds since. */
export function startTimer(options: Pick<ActionOptions, "now">): () => number {
  const now = options.now ?? (() => new Date());
  const started = now().getTime();
  return () => now().getTime() - started;
}

/** Codes the actions add to `SimplebackupErrorCode`. */
export type ActionErrorCode =
  | "TARGET_NOT_EMPTY"
  | "TARGET_IN_PLACE"
  | "TARGET_UNWRITABLE"
  | "SNAPSHOT_NOT_FOUND"
  | "SNAPSHOT_PATH_NOT_FOUND";

export function actionError(code: ActionErrorCode, message: string): SimplebackupError {
  return new SimplebackupError(code, message);
}

/**
 * Reads the output of a restic run that succeeded. Output of an unexpected shape (a restic version
 * that changed it) becomes a typed failure naming the command, not an unexplained crash.
 */
export function readOutput<T>(args: readonly string[], read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ResticError("RESTIC_FAILED", message, {
      command: args,
      exitCode: 0,
      stderrTail: "",
      cause: error,
    });
  }
}
