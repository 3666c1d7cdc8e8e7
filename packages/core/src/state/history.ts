/*
 * Run history as JSON lines rather than SQLite: it needs no native dependency (a prebuilt binary per
 * platform and Node version would be the heaviest part of the install); appending one line and fsyncing
 * is already crash-safe, since a crash can at worst leave a torn last line, which reading skips; and
 * users can read, grep and `jq` the file without any tool of ours. The queries asked of it (the last
 * runs of a job) are a scan of a file that compaction keeps to a few megabytes.
 */
import { mkdir, open, readFile } from "node:fs/promises";
import path from "node:path";
import { parseJsonObject } from "../json-object.js";
import { writeFileAtomic } from "./atomic-file.js";
import type { RunRecordSummary, RunStatus } from "./job-state.js";
import { stateError } from "./state-error.js";
import { readStateText } from "./state-text.js";

const HISTORY_FILE_NAME = "history.jsonl";

/** @default 5 MB */
const DEFAULT_HISTORY_MAX_BYTES = 5 * 1024 * 1024;

/** One line of the history: the run's summary (as state.json keeps the last ones) and its measures. */
export interface RunHistoryRecord extends RunRecordSummary {
  job: string;
  /** Counters from restic's summary (files new, bytes added, …). */
  stats?: Record<string, number>;
  /** The databases dumped, each into its own snapshot. */
  databases?: { database: string; snapshotId: string; bytes: number; dataAdded: number }[];
  durationMs: number;
}

export interface AppendRunRecordOptions {
  /**
   * Past this size the file is rewritten with its newest half.
   * @default 5 MB
   */
  maxBytes?: number;
}

// Appends and compactions in this process run one at a time per file, so a compaction never drops a
// line appended while it was reading.
const chains = new Map<string, Promise<void>>();

function serialized(file: string, task: () => Promise<void>): Promise<void> {
  const run = (chains.get(file) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => {});
  chains.set(file, tail);
  void tail.then(() => {
    if (chains.get(file) === tail) chains.delete(file);
  });
  return run;
}

/** Appends one finished run; once this resolves the record is on disk. */
export function appendRunRecord(
  stateDir: string,
  record: RunHistoryRecord,
  options: AppendRunRecordOptions = {},
): Promise<void> {
  const file = path.join(stateDir, HISTORY_FILE_NAME);
  const maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
  return serialized(file, async () => {
    try {
      await mkdir(stateDir, { recursive: true });
      const size = await appendLine(file, JSON.stringify(record));
      if (size > maxBytes) await compact(file, maxBytes / 2);
    } catch (error) {
      throw stateError("STATE_UNWRITABLE", `cannot append to ${file}`, error);
    }
  });
}

/** Returns the file size after the append. */
async function appendLine(file: string, line: string): Promise<number> {
  const handle = await open(file, "a+");
  try {
    const { size } = await handle.stat();
    // After a crash mid-append the file ends in a torn line; starting a new line keeps this record
    // from being glued to it and lost with it.
    let prefix = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = "\n";
    }
    const data = Buffer.from(`${prefix}${line}\n`, "utf8");
    await handle.write(data);
    await handle.sync();
    return size + data.length;
  } finally {
    await handle.close();
  }
}

async function compact(file: string, keepBytes: number): Promise<void> {
  const { records } = parseHistory(await readFile(file, "utf8"));
  const kept: string[] = [];
  let bytes = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const line = `${JSON.stringify(records[i])}\n`;
    bytes += Buffer.byteLength(line);
    // The newest record is always kept, however large.
    if (bytes > keepBytes && kept.length > 0) break;
    kept.push(line);
  }
  await writeFileAtomic(file, kept.reverse().join(""));
}

export interface ReadHistoryOptions {
  /** Only this job's runs. */
  job?: string;
  /** At most this many, the newest. */
  limit?: number;
}

export interface HistoryReadResult {
  /** Oldest first, newest last. */
  records: RunHistoryRecord[];
  /** Lines that were not a run record: a torn last line after a crash, or hand-edited garbage. */
  skipped: number;
}

export async function readHistory(
  stateDir: string,
  options: ReadHistoryOptions = {},
): Promise<HistoryReadResult> {
  const text = await readStateText(path.join(stateDir, HISTORY_FILE_NAME));
  if (text === undefined) return { records: [], skipped: 0 };
  const { records, skipped } = parseHistory(text);
  const forJob = options.job === undefined ? records : records.filter((r) => r.job === options.job);
  const limited =
    options.limit === undefined ? forJob : forJob.slice(Math.max(0, forJob.length - options.limit));
  return { records: limited, skipped };
}

function parseHistory(text: string): HistoryReadResult {
  const records: RunHistoryRecord[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const record = parseRecord(line);
    if (record) records.push(record);
    else skipped++;
  }
  return { records, skipped };
}

const STATUSES: ReadonlySet<string> = new Set<RunStatus>([
  "success",
  "partial",
  "failed",
  "interrupted",
  "skipped",
]);

function parseRecord(line: string): RunHistoryRecord | undefined {
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
