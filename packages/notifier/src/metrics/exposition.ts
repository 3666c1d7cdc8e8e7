/** What the textfile holds for one job; a field is left out until a run has set it. */
export interface JobMetrics {
  lastSuccessAt?: number;
  lastRunAt?: number;
  /** 1 success, 0.5 partial, 0 failure. */
  lastRunStatus?: number;
  lastRunDurationSeconds?: number;
  lastRunFiles?: number;
  lastRunAddedBytes?: number;
  lastRunProcessedBytes?: number;
  /** Per `copy_to` target of the job, by its name. */
  copies?: Record<string, CopyMetrics>;
}

/** What the textfile holds for one `copy_to` target of a job (labels `job` and `target`). */
export interface CopyMetrics {
  lastSuccessAt?: number;
  lastRunAt?: number;
  /** 1 complete, 0 failed. */
  lastStatus?: number;
  lastDurationSeconds?: number;
}

interface MetricDefinition<Key> {
  readonly key: Key;
  readonly name: string;
  readonly help: string;
}

type JobMetricKey = Exclude<keyof JobMetrics, "copies">;

export const METRICS: readonly MetricDefinition<JobMetricKey>[] = [
  {
    key: "lastSuccessAt",
    name: "simplebackup_last_success_timestamp_seconds",
    help: "When the last complete success finished (not a partial run), in Unix seconds.",
  },
  {
    key: "lastRunAt",
    name: "simplebackup_last_run_timestamp_seconds",
    help: "When the last run finished, in Unix seconds.",
  },
  {
    key: "lastRunStatus",
    name: "simplebackup_last_run_status",
    help: "Result of the last run: 1 success, 0.5 partial (some files unreadable), 0 failure.",
  },
  {
    key: "lastRunDurationSeconds",
    name: "simplebackup_last_run_duration_seconds",
    help: "How long the last run took.",
  },
  {
    key: "lastRunFiles",
    name: "simplebackup_last_run_files",
    help: "Files the last run processed (0 when it failed).",
  },
  {
    key: "lastRunAddedBytes",
    name: "simplebackup_last_run_added_bytes",
    help: "Bytes the last run added to the repository (0 when it failed).",
  },
  {
    key: "lastRunProcessedBytes",
    name: "simplebackup_last_run_processed_bytes",
    help: "Size of everything the last snapshot covers (0 when the run failed).",
  },
];

/**
 * The copies' gauges. A copy runs after every backup, so its success time ages with the job's own when
 * backups stop; how far a target is behind the backups is the difference of the two timestamps.
 */
export const COPY_METRICS: readonly MetricDefinition<keyof CopyMetrics>[] = [
  {
    key: "lastSuccessAt",
    name: "simplebackup_copy_last_success_timestamp_seconds",
    help: "When the last complete copy to the target finished (every snapshot of the job there), in Unix seconds.",
  },
  {
    key: "lastRunAt",
    name: "simplebackup_copy_last_run_timestamp_seconds",
    help: "When the last copy to the target finished, in Unix seconds.",
  },
  {
    key: "lastStatus",
    name: "simplebackup_copy_last_status",
    help: "Result of the last copy to the target: 1 complete, 0 failed (it is retried).",
  },
  {
    key: "lastDurationSeconds",
    name: "simplebackup_copy_last_duration_seconds",
    help: "How long the last copy to the target took.",
  },
];

/**
 * Renders the node_exporter textfile: per metric a HELP and TYPE line, then one gauge per job (and per
 * job and target for the copies' metrics), sorted, so the file changes only where a value did.
 */
export function renderMetrics(jobs: ReadonlyMap<string, JobMetrics>): string {
  const names = [...jobs.keys()].sort();
  const lines: string[] = [];
  const family = (metric: { name: string; help: string }, samples: string[]) => {
    if (samples.length === 0) return;
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} gauge`, ...samples);
  };
  for (const metric of METRICS) {
    family(
      metric,
      names.flatMap((job) => {
        const value = jobs.get(job)?.[metric.key];
        return value === undefined ? [] : [sample(metric.name, { job }, value)];
      }),
    );
  }
  for (const metric of COPY_METRICS) {
    family(
      metric,
      names.flatMap((job) => {
        const copies = jobs.get(job)?.copies ?? {};
        return Object.keys(copies)
          .sort()
          .flatMap((target) => {
            const value = copies[target]?.[metric.key];
            return value === undefined ? [] : [sample(metric.name, { job, target }, value)];
          });
      }),
    );
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function sample(name: string, labels: { job: string; target?: string }, value: number): string {
  const target = labels.target === undefined ? "" : `,target="${escapeLabelValue(labels.target)}"`;
  return `${name}{job="${escapeLabelValue(labels.job)}"${target}} ${formatValue(value)}`;
}

const LABEL_VALUE = String.raw`"((?:[^"\\]|\\.)*)"`;
const SAMPLE_LINE = new RegExp(
  String.raw`^([a-z_]+)\{job=${LABEL_VALUE}(?:,target=${LABEL_VALUE})?\} (\S+)$`,
);

/**
 * Reads back a file `renderMetrics` wrote, so that a restarted daemon keeps the other jobs' last
 * success times instead of dropping them until each job runs again. Lines it does not know are skipped.
 */
export function parseMetrics(text: string): Map<string, JobMetrics> {
  const byName = new Map(METRICS.map((metric) => [metric.name, metric.key]));
  const copyByName = new Map(COPY_METRICS.map((metric) => [metric.name, metric.key]));
  const jobs = new Map<string, JobMetrics>();
  for (const line of text.split("\n")) {
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const [, name = "", jobLabel = "", targetLabel, raw = ""] = match;
    const value = Number(raw);
    if (Number.isNaN(value)) continue;
    const job = unescapeLabelValue(jobLabel);
    const previous = jobs.get(job);
    if (targetLabel === undefined) {
      const key = byName.get(name);
      if (key !== undefined) jobs.set(job, { ...previous, [key]: value });
      continue;
    }
    const key = copyByName.get(name);
    if (key === undefined) continue;
    const target = unescapeLabelValue(targetLabel);
    const copies = { ...previous?.copies, [target]: { ...previous?.copies?.[target], [key]: value } };
    jobs.set(job, { ...previous, copies });
  }
  return jobs;
}

/** The exposition format's escapes for label values: backslash, double quote, line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function unescapeLabelValue(value: string): string {
  return value.replace(/\\(.)/g, (_all, char: string) => (char === "n" ? "\n" : char));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
