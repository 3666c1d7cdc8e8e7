import type { JobTimeline, MaintenanceTask } from "./job-timeline.js";
import { type MaintenanceRunnerOptions, runScheduledMaintenance } from "./maintenance.js";
import type { RunQueue } from "./run-queue.js";

/**
 * Queues each job's checks and drills when its timeline says they are due, never one that still runs
 * (a slow check is not started twice), and stops them with the scheduler.
 */
export class MaintenancePlanner {
  /** `job\0task` of the checks and drills queued or running. */
  private readonly busy = new Set<string>();
  private readonly controllers = new Set<AbortController>();

  constructor(
    private readonly queue: RunQueue,
    /** How a check or drill is run and recorded, read when it starts (the config may have changed). */
    private readonly runner: () => MaintenanceRunnerOptions,
  ) {}

  /** Queues what is due at `now` of this job. */
  queueDue(timeline: JobTimeline, now: number): void {
    for (const task of timeline.takeDueMaintenance(now)) {
      const key = `${timeline.job.name}\u0000${task}`;
      if (this.busy.has(key)) continue;
      this.busy.add(key);
      this.queue.push({ task, job: () => timeline.job, start: () => this.start(timeline, task, key) });
    }
  }

  /**
   * Queues a check or drill asked for now (the dashboard's button), behind its repository's other work;
   * false when that task of the job is queued or running already. Its outcome is told by its events.
   */
  queueNow(timeline: JobTimeline, task: MaintenanceTask): boolean {
    const key = `${timeline.job.name}\u0000${task}`;
    if (this.busy.has(key)) return false;
    this.busy.add(key);
    this.queue.push({ task, job: () => timeline.job, start: () => this.start(timeline, task, key) });
    return true;
  }

  /** Interrupts running checks and drills; queued ones are dropped with the queue. */
  stop(): void {
    for (const controller of this.controllers) controller.abort();
    this.busy.clear();
  }

  private start(timeline: JobTimeline, task: MaintenanceTask, key: string) {
    const controller = new AbortController();
    this.controllers.add(controller);
    return {
      runId: "",
      signal: controller.signal,
      run: () => runScheduledMaintenance(timeline.job, task, controller.signal, this.runner()),
      settle: () => {}, // its outcome is told by its own events
      release: () => {
        this.controllers.delete(controller);
        this.busy.delete(key);
      },
    };
  }
}
