// The actions a person or the scheduler runs on a job besides backing it up. Re-exported by core's index.

export { nextCheckSubset, normalizeReadDataSubset } from "../restic/action-args.js";
export type { LockInfo, RestoreFileError, RestoreStatus } from "../restic/action-output.js";
export { snapshotSize } from "../restic/action-output.js";
export type { ActionErrorCode, ActionOptions } from "./action-options.js";
export type { CheckResult, RunCheckOptions } from "./check.js";
export { runCheck } from "./check.js";
export type { DrillFile, DrillFileStatus, DrillResult, RunDrillOptions } from "./drill.js";
export { runDrill } from "./drill.js";
export { findJob } from "./find-job.js";
export type { ForgetResult, ForgetSnapshot, RunForgetOptions } from "./forget.js";
export { runForget } from "./forget.js";
export type { ListSnapshotsOptions } from "./list-snapshots.js";
export { listSnapshots } from "./list-snapshots.js";
export type {
  RestoreProgress,
  RestoreResult,
  RestoreStep,
  RunRestoreOptions,
  SnapshotSummary,
} from "./restore.js";
export { runRestore } from "./restore.js";
export type { RemainingLock, UnlockResult } from "./unlock.js";
export { runUnlock } from "./unlock.js";
