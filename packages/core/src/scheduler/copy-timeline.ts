import type { BackupJob, CopyTarget } from "../config/types.js";
import type { CopyState } from "../state/job-state.js";

/**
 * While a copy is owed after a failure, how often the target is probed (a TCP connect, or a stat of a
 * local target's folder), so a server or drive that comes back gets its copy within a minute rather
 * than at the next retry delay.
 */
export const COPY_PROBE_MS = 60_000;

/**
 * Where one `copy_to` target of a job stands in time: whether it lacks snapshots, when to try again
 * after a failure, when to probe it, when its lag is worth an alert. Pure, like JobTimeline: it
 * decides from the times passed in.
 */
export class CopyTimeline {
  /** Since when the target has lacked a snapshot of the job; undefined when it has them all. */
  behindSince: number | undefined;
  /** Snapshots of the job made since the last complete copy. */
  behindSnapshots: number;
  /** Failed copies since the last complete one. */
  failures = 0;
  retryAt: number | undefined;
  probeAt: number | undefined;
  /** When the standing lag alert was raised; undefined while none stands. */
  lagAlertedAt: number | undefined;

  constructor(
    public job: BackupJob,
    public target: CopyTarget,
    state: CopyState | undefined,
  ) {
    this.behindSince = state?.behindSince ? Date.parse(state.behindSince) : undefined;
    this.behindSnapshots = state?.behindSnapshots ?? 0;
    this.lagAlertedAt = state?.lagAlertedAt ? Date.parse(state.lagAlertedAt) : undefined;
  }

  /** Whether the target lacks snapshots: a copy is owed. */
  get behind(): boolean {
    return this.behindSince !== undefined;
  }

  /** When the lag alert is due; undefined when off, not behind, or raised already. */
  get lagAlertAt(): number | undefined {
    const after = this.target.alertAfterMs;
    if (after === undefined || this.behindSince === undefined || this.lagAlertedAt !== undefined)
      return undefined;
    return this.behindSince + after;
  }

  get wakeAt(): number {
    return Math.min(
      this.retryAt ?? Number.POSITIVE_INFINITY,
      this.probeAt ?? Number.POSITIVE_INFINITY,
      this.lagAlertAt ?? Number.POSITIVE_INFINITY,
    );
  }

  /** The job made a snapshot at `at`: the target lacks it until the next complete copy. */
  snapshotMade(at: number): void {
    this.behindSince ??= at;
    this.behindSnapshots++;
  }

  /** Every snapshot is on the target now. Returns when the standing lag alert was raised, if one stood. */
  copied(): number | undefined {
    const alerted = this.lagAlertedAt;
    this.behindSince = undefined;
    this.behindSnapshots = 0;
    this.failures = 0;
    this.retryAt = undefined;
    this.probeAt = undefined;
    this.lagAlertedAt = undefined;
    return alerted;
  }

  /**
   * A copy failed: the next try follows the job's retry delays (the last one repeating: a target down
   * for days still catches up, so a copy never gives up), and the target is probed every minute
   * meanwhile. Returns when the next try is.
   */
  failed(now: number): number {
    this.failures++;
    const { delaysMs } = this.job.retry;
    const delay = delaysMs[Math.min(this.failures, delaysMs.length) - 1] ?? COPY_PROBE_MS;
    this.retryAt = now + Math.max(delay, COPY_PROBE_MS);
    this.probeAt = now + COPY_PROBE_MS;
    return this.retryAt;
  }

  /** True once when the retry delay has passed. */
  takeDueRetry(now: number): boolean {
    if (this.retryAt === undefined || this.retryAt > now) return false;
    this.retryAt = undefined;
    this.probeAt = undefined;
    return true;
  }

  /** True once when the target should be probed; the next probe is planned at once. */
  takeDueProbe(now: number): boolean {
    if (this.probeAt === undefined || this.probeAt > now) return false;
    this.probeAt = now + COPY_PROBE_MS;
    return true;
  }

  /** The target answered a probe: try now instead of at the retry delay. */
  retryNow(): void {
    this.retryAt = undefined;
    this.probeAt = undefined;
  }

  /** True once when the lag alert is due. */
  takeLagAlert(now: number): boolean {
    const at = this.lagAlertAt;
    if (at === undefined || at > now) return false;
    this.lagAlertedAt = now;
    return true;
  }

  /** What is kept in state.json for this target (the last copy and failure are written where they happen). */
  snapshotOfLag(): Pick<CopyState, "behindSince" | "behindSnapshots" | "lagAlertedAt"> {
    return {
      ...(this.behindSince === undefined ? {} : { behindSince: new Date(this.behindSince).toISOString() }),
      behindSnapshots: this.behindSnapshots,
      ...(this.lagAlertedAt === undefined ? {} : { lagAlertedAt: new Date(this.lagAlertedAt).toISOString() }),
    };
  }
}
