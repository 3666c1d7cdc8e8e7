import type { ConditionVerdict } from "../conditions/run-conditions.js";
import type { BackupJob } from "../config/types.js";
import type { SkippedEvent } from "../events.js";
import type { JobTimeline } from "./job-timeline.js";

/** Looks at a job's conditions. The default reads the machine (conditions/); tests pass their own. */
export type ConditionCheck = (job: BackupJob) => Promise<ConditionVerdict>;

export interface ConditionGateOptions {
  readonly check: ConditionCheck;
  readonly now: () => number;
  readonly emit: (event: SkippedEvent) => void;
  /** A look ended (a run was let through or owed): the scheduler pumps its queue and re-arms. */
  readonly looked: () => void;
  /** The job's owed run began or ended: the scheduler writes it down for `status`. */
  readonly owedChanged: (timeline: JobTimeline) => void;
}

/**
 * Lets a due run through only when its job's `when` holds. When it does not, the run is skipped with
 * the reason (`skipped`, never a failure) and owed on the job's timeline, which looks again every
 * minute and lets it through once. A job without `when` passes at once, without a look.
 */
export class ConditionGate {
  private readonly looking = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: ConditionGateOptions) {}

  /** Whether the job's conditions are being looked at now: its run is as good as queued. */
  isLooking(job: string): boolean {
    return this.looking.has(job);
  }

  /**
   * Calls `start` once the conditions hold. `recheck`: this is an owed run's periodic look, which is
   * silent when the conditions still do not hold (the slot's `skipped` event was said already).
   */
  admit(timeline: JobTimeline, runId: string, recheck: boolean, start: () => void): void {
    const { job } = timeline;
    if (!job.when) {
      this.settle(timeline);
      start();
      return;
    }
    this.looking.add(job.name);
    const look = this.options
      .check(job)
      // A look that throws is a bug in it, not a reason to stop backing up.
      .catch((): ConditionVerdict => ({ met: true }))
      .then((verdict) => {
        this.looking.delete(job.name);
        const now = this.options.now();
        if (verdict.met) {
          this.settle(timeline);
          start();
        } else {
          const before = timeline.owed;
          timeline.owe(now, verdict.reason);
          if (before?.reason !== verdict.reason) this.options.owedChanged(timeline);
          if (!recheck) {
            this.options.emit({
              type: "skipped",
              job: job.name,
              runId,
              at: new Date(now),
              reason: "conditions",
              condition: verdict.condition,
              message: `${verdict.reason}; the backup runs once the job's conditions hold`,
            });
          }
        }
        this.options.looked();
      })
      .finally(() => this.inFlight.delete(look));
    this.inFlight.add(look);
  }

  private settle(timeline: JobTimeline): void {
    if (timeline.owed === undefined) return;
    timeline.settleOwed();
    this.options.owedChanged(timeline);
  }

  /** Resolves once no look is under way. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
