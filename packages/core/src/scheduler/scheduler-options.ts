import type { ResolvedConfig } from "../config/types.js";
import type { RunAttempt } from "./attempt-runner.js";
import type { Clock } from "./clock.js";
import type { ConditionCheck } from "./condition-gate.js";
import type { ProbeTarget, RunCopy } from "./copy-planner.js";
import type { RunMaintenance } from "./maintenance.js";

export interface BackupSchedulerOptions {
  /** A resolved config (from `resolveConfig`), when not reading a file. */
  readonly config?: ResolvedConfig;
  /** A config file: read at start, watched, and re-checked before every run. */
  readonly configPath?: string;
  /** Where run history, logs and the daemon lock live. @default state_dir, $SIMPLEBACKUP_STATE_DIR, or the platform's state folder */
  readonly stateDir?: string;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default restic_binary from the config, $RESTIC_BINARY, or restic on PATH */
  readonly resticBinary?: string;
  /** Jobs on different repositories that may run at once. @default max_concurrent from the config, else 1 */
  readonly maxConcurrent?: number;
  /** Run every job once at start. */
  readonly backupOnStart?: boolean;
  /** Watch the config file for changes. @default true with configPath */
  readonly watchConfig?: boolean;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Called with every config before the scheduler uses it, at start and at each reload, for checks core
   * cannot make itself (the daemon checks and builds its notifiers here). A ConfigError rejects the
   * config: `start` fails with it; a reload emits `config-invalid` and keeps the current config.
   */
  readonly acceptConfig?: (config: ResolvedConfig) => Promise<void>;
  readonly runAttempt?: RunAttempt;
  /** Copies a job's snapshots to one `copy_to` target. @default restic copy */
  readonly runCopy?: RunCopy;
  /** Whether a target that failed answers again. @default a TCP connect (remote) or a stat (local) */
  readonly probeTarget?: ProbeTarget;
  /**
   * Told what the daemon cannot check and lets pass rather than stop backing up (the power source
   * cannot be read), once each. @default nothing
   */
  readonly onWarning?: (message: string) => void;
  /** Looks at a job's `when` before a scheduled run. @default reads the machine (power, paths, network, a command) */
  readonly checkConditions?: ConditionCheck;
  readonly runMaintenance?: RunMaintenance;
}
