import type { RunHistoryRecord } from "@simplebackup/core";

/**
 * A job's runs as columns, oldest first, for the job page's plots. Columns rather than records: a
 * year of hourly runs is 8,760 points, which as whole records (log paths, retention, messages) would
 * be megabytes; as columns it is a few hundred kilobytes that uPlot takes as they are. A run without
 * restic's counters (a failure before its summary) has null there, a gap in the line.
 */
export interface RunSeries {
  readonly job: string;
  /** ISO start of the range asked for. */
  readonly since: string;
  /** When each run finished, in Unix seconds (uPlot's x axis). */
  readonly finishedAt: number[];
  readonly status: RunHistoryRecord["status"][];
  /** Wall time of the whole run, seconds. */
  readonly durationS: number[];
  /** restic's data_added, bytes. */
  readonly dataAdded: (number | null)[];
  readonly filesNew: (number | null)[];
  readonly filesChanged: (number | null)[];
  /** restic's total_bytes_processed: the size of what the snapshot covers. */
  readonly snapshotBytes: (number | null)[];
}

const STAT_KEYS = {
  dataAdded: "dataAdded",
  filesNew: "filesNew",
  filesChanged: "filesChanged",
  snapshotBytes: "totalBytesProcessed",
} as const;

/** Records (oldest first) as columns. */
export function buildRunSeries(job: string, since: Date, records: readonly RunHistoryRecord[]): RunSeries {
  const builder = runSeriesBuilder(job, since);
  for (const record of records) builder.add(record);
  return builder.series;
}

/** Columns filled one record at a time (oldest first), so no record need be kept to build them. */
export function runSeriesBuilder(
  job: string,
  since: Date,
): { readonly series: RunSeries; add(record: RunHistoryRecord): void } {
  const series: RunSeries = {
    job,
    since: since.toISOString(),
    finishedAt: [],
    status: [],
    durationS: [],
    dataAdded: [],
    filesNew: [],
    filesChanged: [],
    snapshotBytes: [],
  };
  return {
    series,
    add(record) {
      series.finishedAt.push(Math.round(Date.parse(record.finishedAt) / 1000));
      series.status.push(record.status);
      series.durationS.push(Math.round(record.durationMs / 100) / 10);
      for (const [column, stat] of Object.entries(STAT_KEYS) as [keyof typeof STAT_KEYS, string][]) {
        const value = record.stats?.[stat];
        series[column].push(typeof value === "number" ? value : null);
      }
    },
  };
}
