// The public API of @simplebackup/core. Everything not re-exported here is internal.

export type { ActionErrorCode, ActionOptions } from "./actions/action-options.js";
export type {
  SnapshotEntry,
  SnapshotEntryType,
  SnapshotPathListing,
} from "./actions/browse-snapshot.js";
export { listSnapshotPath, SNAPSHOT_ID_PATTERN, streamSnapshotPath } from "./actions/browse-snapshot.js";
export type { CheckResult, RunCheckOptions } from "./actions/check.js";
export { runCheck } from "./actions/check.js";
export type {
  CopiedSnapshot,
  CopyResult,
  CopyRetention,
  CopyStage,
  RunCopyOptions,
} from "./actions/copy.js";
export { CopyError, runCopy } from "./actions/copy.js";
export type { DrillFile, DrillFileStatus, DrillResult, RunDrillOptions } from "./actions/drill.js";
export { runDrill } from "./actions/drill.js";
export type { DatabaseDrill } from "./actions/drill-database.js";
export { findJob } from "./actions/find-job.js";
export type { ForgetResult, ForgetSnapshot, RunForgetOptions } from "./actions/forget.js";
export { runForget } from "./actions/forget.js";
export type { ListedSnapshot, ListSnapshotsOptions } from "./actions/list-snapshots.js";
export { listSnapshots } from "./actions/list-snapshots.js";
export type {
  RestoreProgress,
  RestoreResult,
  RestoreShortfall,
  RestoreStep,
  RunRestoreOptions,
  SnapshotSummary,
} from "./actions/restore.js";
export { describeRestoreShortfall, runRestore } from "./actions/restore.js";
export type {
  DatabaseLogin,
  RestoreDatabaseProgress,
  RestoreDatabaseResult,
  RestoreDatabaseTarget,
  RunRestoreDatabaseOptions,
} from "./actions/restore-database.js";
export { runRestoreDatabase } from "./actions/restore-database.js";
export type { SnapshotPathCheck } from "./actions/snapshot-path.js";
export { checkSnapshotPath } from "./actions/snapshot-path.js";
export type { RemainingLock, UnlockResult } from "./actions/unlock.js";
export { runUnlock } from "./actions/unlock.js";
export { NO_CHANGES_NO_SNAPSHOT } from "./backup/backup-outcome.js";
export { RETENTION_SKIPPED_PARTIAL } from "./backup/retention-stage.js";
export type {
  BackupRunResult,
  BackupRunStatus,
  RetentionOutcome,
  RunBackupOptions,
} from "./backup/run-backup.js";
export { runBackup } from "./backup/run-backup.js";
export type { RunRecordedBackupOptions } from "./backup/run-recorded-backup.js";
export { runRecordedBackup } from "./backup/run-recorded-backup.js";
export type { ConditionIOOptions } from "./conditions/condition-io.js";
export { createConditionIO } from "./conditions/condition-io.js";
export type { PowerReading } from "./conditions/power.js";
export type { RepositoryEndpoint, SshRoute } from "./conditions/repository-endpoint.js";
export { repositoryEndpoint } from "./conditions/repository-endpoint.js";
export type {
  CommandOutcome,
  ConditionIO,
  ConditionSubject,
  ConditionVerdict,
  ConnectOutcome,
  PathState,
  RunConditionName,
} from "./conditions/run-conditions.js";
export { checkRunConditions } from "./conditions/run-conditions.js";
export {
  DURATION_FORMAT,
  describeDurationProblem,
  formatConfigDuration,
  parseDuration,
} from "./config/duration.js";
export type { JsonSchema } from "./config/json-schema.js";
export { buildConfigJsonSchema, CONFIG_SCHEMA_URL, renderConfigJsonSchema } from "./config/json-schema.js";
export { stripJsonComments } from "./config/jsonc.js";
export { loadConfigFile, parseConfigText, resolveConfig } from "./config/load.js";
export type { ConfigLocation } from "./config/locate.js";
export { locateConfigFile, platformConfigDir } from "./config/locate.js";
export { describeValue, expected } from "./config/problems.js";
export { renderConfigReference } from "./config/reference.js";
export type { ConfigFile } from "./config/schema.js";
export { configFileSchema } from "./config/schema.js";
export type {
  BackupJob,
  CopyTarget,
  DatabasePassword,
  DatabaseSpec,
  DatabaseType,
  PasswordSource,
  ResolvedConfig,
  RetentionPolicy,
  RunConditions,
  UiSettings,
} from "./config/types.js";
export { DEFAULT_UI_LISTEN } from "./config/ui.js";
export type { ExposurePolicy, ListenAddress } from "./config/ui-listen.js";
export {
  exposureProblem,
  formatHostPort,
  isLoopbackHost,
  LISTEN_EXPECTED,
  parseListenAddress,
} from "./config/ui-listen.js";
export { usesNotifications } from "./config/uses-notifications.js";
export type { ConfigProblem, ResticErrorCode, SimplebackupErrorCode } from "./errors.js";
export {
  CodedError,
  ConfigError,
  isSimplebackupError,
  ResticError,
  SimplebackupError,
} from "./errors.js";
export type {
  BackupEvent,
  BackupEvents,
  BackupEventType,
  BackupFailureEvent,
  BackupPartialEvent,
  BackupProgressEvent,
  BackupStartEvent,
  BackupStats,
  BackupSuccessEvent,
  ConfigInvalidEvent,
  ConfigReloadedEvent,
  CopyDoneEvent,
  CopyFailedEvent,
  CopyLaggingEvent,
  DatabaseOutcomes,
  DatabaseSnapshot,
  FailedDatabase,
  MaintenanceDoneEvent,
  RecoveredEvent,
  RepositoryInitializedEvent,
  RepositoryWaitingEvent,
  RetentionDoneEvent,
  RetriesExhaustedEvent,
  RetryEvent,
  RunContext,
  RunPhase,
  ScheduledEvent,
  SchedulerEvent,
  SchedulerEvents,
  SchedulerEventType,
  SkippedEvent,
  StaleEvent,
  StaleLockRemovedEvent,
  UnreadablePath,
} from "./events.js";
export { SCHEDULER_EVENT_TYPES } from "./events.js";
export { formatHumanDuration } from "./format/duration.js";
export { formatLocalTime } from "./format/local-time.js";
export { formatBytes, formatCount, plural } from "./format/units.js";
export type { PathFacts, PreflightCode, PreflightIO, PreflightWarning } from "./preflight/preflight.js";
export { runPreflight } from "./preflight/preflight.js";
export { createPreflightIO } from "./preflight/preflight-io.js";
export { buildBackupArgs } from "./restic/commands/backup.js";
export { nextCheckSubset, normalizeReadDataSubset } from "./restic/commands/check.js";
export { buildCopyArgs } from "./restic/commands/copy.js";
export type { DumpArchiveFormat } from "./restic/commands/dump.js";
export { buildForgetArgs } from "./restic/commands/forget.js";
export type { RestoreFileError, RestoreStatus } from "./restic/commands/restore.js";
// For a restore of exact paths (the dashboard's): a file name's `*`, `?`, `[` are not globs.
export { escapeRestorePattern } from "./restic/commands/restore.js";
export type { SnapshotInfo } from "./restic/commands/snapshots.js";
export { snapshotFileCount, snapshotSize } from "./restic/commands/snapshots.js";
export type { LockInfo } from "./restic/commands/unlock.js";
export type { ResticVersion } from "./restic/commands/version.js";
// For embedders who run restic themselves and ask what it can do.
export { versionAtLeast } from "./restic/commands/version.js";
export { maskRepository } from "./restic/environment.js";
export { jobTag } from "./restic/job-tag.js";
export type { LocateResticOptions } from "./restic/locate.js";
export { locateRestic } from "./restic/locate.js";
export type { ResticMessage } from "./restic/messages.js";
// For embedders who run restic themselves and want the same typed reading of its --json lines.
export { parseResticLine } from "./restic/messages.js";
export type { Restic } from "./restic/restic.js";
export { createRestic } from "./restic/restic.js";
export type { ResticProvider, ResticProviderOptions } from "./restic/restic-provider.js";
export { createResticProvider } from "./restic/restic-provider.js";
export type { KeptLockReason } from "./restic/stale-lock.js";
export type { AttemptContext, RunAttempt } from "./scheduler/attempt-runner.js";
export { BackupScheduler } from "./scheduler/backup-scheduler.js";
export type { Clock, ManualClock, TimerHandle } from "./scheduler/clock.js";
export { createManualClock, systemClock } from "./scheduler/clock.js";
export type { ConditionCheck } from "./scheduler/condition-gate.js";
export type { CopyContext, CopyOutcome, CopyStatus, ProbeTarget, RunCopy } from "./scheduler/copy-planner.js";
export type { JobStatus } from "./scheduler/job-status.js";
export type { MaintenanceTask } from "./scheduler/job-timeline.js";
export type { MaintenanceContext, MaintenanceOutcome, RunMaintenance } from "./scheduler/maintenance.js";
export type { BackupSchedulerOptions } from "./scheduler/scheduler-options.js";
export { shortId } from "./short-id.js";
export { writeFileAtomic } from "./state/atomic-file.js";
export type {
  HistoryPage,
  HistoryReadResult,
  HistoryRetention,
  ReadHistoryOptions,
  ReadHistoryPageOptions,
  RunHistoryRecord,
  VisitHistoryOptions,
} from "./state/history.js";
export { readHistory, readHistoryPage, readLatestRecords, visitJobHistory } from "./state/history.js";
export { readRunSummaries } from "./state/history-summary.js";
export type { CopyState, RunRecordSummary } from "./state/job-state.js";
export type {
  CopyStatusReport,
  JobStatusReport,
  ReadStatusOptions,
  StatusReport,
} from "./state/read-status.js";
export { readLastGoodStatus, readStatus } from "./state/read-status.js";
export type {
  RepositoryLock,
  RepositoryLockHolder,
  RepositoryLockOptions,
  RepositoryLockPurpose,
} from "./state/repository-lock.js";
export {
  acquireRepositoryLock,
  RepositoryBusyError,
  repositoryLockFile,
  withRepositoryLock,
} from "./state/repository-lock.js";
export { findRunLog } from "./state/run-log.js";
export type { JobRunSummary } from "./state/run-summary.js";
export { resolveStateDir } from "./state/state-dir.js";
