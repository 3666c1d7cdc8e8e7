import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { NotifiableEvent, NotifierEventKind } from "../events.js";
import type { Notifier } from "../notifier.js";
import { type CopyMetrics, type JobMetrics, parseMetrics, renderMetrics } from "./exposition.js";

export interface MetricsWriterOptions {
  /**
   * The textfile, e.g. `/var/lib/node_exporter/textfile_collector/simplebackup.prom`. node_exporter
   * reads only names ending in `.prom`; the temporary file beside it does not, so a half-written
   * file is never collected.
   */
  readonly file: string;
  /** @default "metrics <file name>" */
  readonly name?: string;
  /**
   * The config's `copy_to` target names per job. When the file is read, the copy series of a listed
   * job's targets that are not named here are dropped: a target taken out of the config would
   * otherwise keep its last status in the file, and an alert on it, for ever. Jobs not listed keep theirs.
   */
  readonly copyTargets?: Readonly<Record<string, readonly string[]>>;
}

/** A notifier, so the hub's queue and error handling apply; plus `flush` for one-shot runs and tests. */
export interface MetricsWriter extends Notifier {
  /** Resolves when the file reflects every event handled so far. */
  flush(): Promise<void>;
}

const METRICS_ON: readonly NotifierEventKind[] = Object.freeze([
  "success",
  "partial",
  "failure",
  "copy-done",
  "copy-failed",
  "config-reloaded",
]);

/**
 * Keeps a Prometheus textfile for node_exporter's textfile collector: after every run (success,
 * partial, failure) and every copy to a `copy_to` target the whole file is rewritten through a temporary file and a rename, so readers
 * see the old file or the new one, never a mix. Times come from the events' `at`, so no clock is needed.
 */
export function createMetricsWriter(options: MetricsWriterOptions): MetricsWriter {
  let jobs: Map<string, JobMetrics> | undefined;
  let writing: Promise<void> = Promise.resolve();

  async function load(): Promise<Map<string, JobMetrics>> {
    if (jobs) return jobs;
    const text = await readFile(options.file, "utf8").catch(() => "");
    jobs ??= dropRemovedTargets(parseMetrics(text), options.copyTargets);
    return jobs;
  }

  async function handle(event: NotifiableEvent): Promise<void> {
    const known = await load();
    if (event.type === "config-reloaded") {
      if (event.removed.length === 0) return;
      for (const job of event.removed) known.delete(job);
    } else {
      const next = update(known.get(event.job) ?? {}, event);
      if (next === undefined) return;
      known.set(event.job, next);
    }
    await write(renderMetrics(known));
  }

  async function write(text: string): Promise<void> {
    const dir = dirname(options.file);
    const temp = join(dir, `.${basename(options.file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(temp, text, { mode: 0o644 });
      await rename(temp, options.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  return {
    name: options.name ?? `metrics ${basename(options.file)}`,
    on: METRICS_ON,
    notify(event) {
      // One write at a time, in event order; a failed write does not stop the next.
      const next = writing.then(() => handle(event));
      writing = next.catch(() => {});
      return next;
    },
    flush: () => writing,
    toJSON: () => ({
      name: `metrics ${basename(options.file)}`,
      type: "metrics",
      on: METRICS_ON,
      options: { file: options.file },
    }),
  };
}

function update(previous: JobMetrics, event: NotifiableEvent): JobMetrics | undefined {
  const at = event.at.getTime() / 1000;
  switch (event.type) {
    case "success":
    case "partial":
      return {
        ...previous,
        // The last COMPLETE success, as `status` and the staleness alert count it.
        ...(event.type === "success" ? { lastSuccessAt: at } : {}),
        lastRunAt: at,
        lastRunStatus: event.type === "success" ? 1 : 0.5,
        lastRunDurationSeconds: event.durationMs / 1000,
        lastRunFiles: event.stats.totalFilesProcessed,
        lastRunAddedBytes: event.stats.dataAdded,
        lastRunProcessedBytes: event.stats.totalBytesProcessed,
      };
    case "failure":
      // Interrupted by a shutdown is no verdict on the job: the last result stands.
      if (event.code === "INTERRUPTED") return undefined;
      return {
        ...previous,
        lastRunAt: at,
        lastRunStatus: 0,
        lastRunDurationSeconds: event.durationMs / 1000,
        // A failure after the snapshot was saved (retention) carries that backup's numbers.
        lastRunFiles: event.stats?.totalFilesProcessed ?? 0,
        lastRunAddedBytes: event.stats?.dataAdded ?? 0,
        lastRunProcessedBytes: event.stats?.totalBytesProcessed ?? 0,
      };
    case "copy-done":
    case "copy-failed": {
      // Interrupted by a shutdown is no verdict on the target either.
      if (event.type === "copy-failed" && event.code === "INTERRUPTED") return undefined;
      const copy: CopyMetrics = {
        ...previous.copies?.[event.target],
        ...(event.type === "copy-done" ? { lastSuccessAt: at } : {}),
        lastRunAt: at,
        lastStatus: event.type === "copy-done" ? 1 : 0,
        lastDurationSeconds: event.durationMs / 1000,
      };
      return { ...previous, copies: { ...previous.copies, [event.target]: copy } };
    }
    // A run skipped for its `when` conditions (or any other reason) is no run: nothing changes.
    default:
      return undefined;
  }
}

function dropRemovedTargets(
  jobs: Map<string, JobMetrics>,
  copyTargets: Readonly<Record<string, readonly string[]>> | undefined,
): Map<string, JobMetrics> {
  if (copyTargets === undefined) return jobs;
  for (const [job, metrics] of jobs) {
    const targets = copyTargets[job];
    if (targets === undefined || metrics.copies === undefined) continue;
    const kept = Object.entries(metrics.copies).filter(([target]) => targets.includes(target));
    const { copies: _, ...rest } = metrics;
    jobs.set(job, kept.length === 0 ? rest : { ...rest, copies: Object.fromEntries(kept) });
  }
  return jobs;
}
