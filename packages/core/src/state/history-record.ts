import { parseJsonObject } from "../json-object.js";
import type { RunRecordSummary, RunStatus } from "./job-state.js";

/** One line of the history: the run's summary (as state.json keeps the last ones) and its measures. */
export interface RunHistoryRecord extends RunRecordSummary {
  job: string;
  /** Counters from restic's summary (files new, bytes added, …). */
  stats?: Record<string, number>;
  /** The databases dumped, each into its own snapshot. */
  databases?: { database: string; snapshotId: string; bytes: number; dataAdded: number }[];
  durationMs: number;
}

const STATUSES: ReadonlySet<string> = new Set<RunStatus>([
  "success",
  "partial",
  "failed",
  "interrupted",
  "skipped",
]);

/** A history line as a record; undefined for a torn line, hand-edited garbage or a line of another shape. */
export function parseRunRecord(line: string): RunHistoryRecord | undefined {
  const r = parseJsonObject(line);
  const valid =
    r !== undefined &&
    typeof r.job === "string" &&
    typeof r.runId === "string" &&
    typeof r.startedAt === "string" &&
    typeof r.finishedAt === "string" &&
    typeof r.status === "string" &&
    STATUSES.has(r.status) &&
    typeof r.durationMs === "number";
  return valid ? (r as unknown as RunHistoryRecord) : undefined;
}

const MONTH = /^\d{4}-\d{2}$/;

/**
 * The month (UTC, `YYYY-MM`) whose file holds the record: the month it finished in, so a time range
 * names the files it needs. A finish time that is no ISO time (never written by us) counts as now.
 */
export function recordMonth(record: Pick<RunHistoryRecord, "finishedAt">): string {
  const month = record.finishedAt.slice(0, 7);
  return MONTH.test(month) ? month : new Date().toISOString().slice(0, 7);
}

/** Whether `name` is a month file's month (`2026-11`). */
export function isMonth(name: string): boolean {
  return MONTH.test(name);
}

/** The month `count` months before `month` (`2026-01` minus 1 is `2025-12`). */
export function monthsBefore(month: string, count: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - count;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}
