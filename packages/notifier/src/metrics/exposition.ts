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
}

interface MetricDefinition {
  readonly key: keyof JobMetrics;
  readonly name: string;
  readonly help: string;
}

export const METRICS: readonly MetricDefinition[] = [
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

/** Renders the node_exporter textfile: per metric a HELP and TYPE line, then one gauge per job. */
export function renderMetrics(jobs: ReadonlyMap<string, JobMetrics>): string {
  const names = [...jobs.keys()].sort();
  const lines: string[] = [];
  for (const metric of METRICS) {
    const samples = names.flatMap((job) => {
      const value = jobs.get(job)?.[metric.key];
      return value === undefined
        ? []
        : [`${metric.name}{job="${escapeLabelValue(job)}"} ${formatValue(value)}`];
    });
    if (samples.length === 0) continue;
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} gauge`, ...samples);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * Reads back a file `renderMetrics` wrote, so that a restarted daemon keeps the other jobs' last
 * success times instead of dropping them until each job runs again. Lines it does not know are skipped.
 */
export function parseMetrics(text: string): Map<string, JobMetrics> {
  const byName = new Map(METRICS.map((metric) => [metric.name, metric.key]));
  const jobs = new Map<string, JobMetrics>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)\{job="((?:[^"\\]|\\.)*)"\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, name = "", label = "", raw = ""] = match;
    const key = byName.get(name);
    const value = Number(raw);
    if (key === undefined || Number.isNaN(value)) continue;
    const job = unescapeLabelValue(label);
    jobs.set(job, { ...jobs.get(job), [key]: value });
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
