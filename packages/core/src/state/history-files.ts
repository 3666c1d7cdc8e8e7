import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../system/errno-code.js";
import { isMonth, monthsBefore } from "./history-record.js";
import { safeJobName } from "./run-log.js";

/**
 * Where the history lives: `<state>/history/<job>/<YYYY-MM>.jsonl`, one folder per job (named as its
 * log folder is) and one file per month a run finished in. A job's queries read only its own files,
 * newest month first; retention removes whole months, so no file is ever rewritten.
 */

const HISTORY_DIR_NAME = "history";

export function historyDir(stateDir: string): string {
  return path.join(stateDir, HISTORY_DIR_NAME);
}

export function jobHistoryDir(stateDir: string, job: string): string {
  return path.join(historyDir(stateDir), safeJobName(job));
}

export function monthFile(jobDir: string, month: string): string {
  return path.join(jobDir, `${month}.jsonl`);
}

/** Every job folder of the history; none before the first run. */
export async function listJobDirs(stateDir: string): Promise<string[]> {
  const root = historyDir(stateDir);
  const entries = await readdirIfAny(root);
  return entries.filter((name) => !name.startsWith(".")).map((name) => path.join(root, name));
}

/** The months a job has a file for, oldest first. */
export async function listMonths(jobDir: string): Promise<string[]> {
  const names = await readdirIfAny(jobDir);
  return names
    .filter((name) => name.endsWith(".jsonl") && isMonth(name.slice(0, -6)))
    .map((name) => name.slice(0, -6))
    .sort();
}

async function readdirIfAny(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return [];
    throw error;
  }
}

export interface HistoryRetention {
  /**
   * Months kept before the newest one: 12 keeps at least a year (the current month and the twelve
   * before it).
   * @default 12
   */
  months?: number;
  /**
   * A job's files together past this size lose their oldest months (never the newest). A year of
   * hourly runs is about 5 MB, so only a job run every minute or two ever reaches it.
   * @default 64 MiB
   */
  maxJobBytes?: number;
}

export const DEFAULT_RETENTION_MONTHS = 12;
export const DEFAULT_MAX_JOB_BYTES = 64 * 1024 * 1024;

/**
 * Removes a job's months that fell out of retention. Run when a new month's file was started, so it
 * costs one folder listing a month. A concurrent writer only ever appends to the newest months.
 */
export async function pruneJobHistory(jobDir: string, retention: HistoryRetention = {}): Promise<void> {
  const months = await listMonths(jobDir);
  const newest = months.at(-1);
  if (newest === undefined) return;
  const oldestKept = monthsBefore(newest, retention.months ?? DEFAULT_RETENTION_MONTHS);
  const maxBytes = retention.maxJobBytes ?? DEFAULT_MAX_JOB_BYTES;
  const kept = months.filter((month) => month >= oldestKept);
  const removed = months.filter((month) => month < oldestKept);
  let bytes = 0;
  for (let i = kept.length - 1; i >= 0; i--) {
    const month = kept[i] as string;
    // A month removed meanwhile by another process weighs nothing.
    bytes += (await stat(monthFile(jobDir, month)).catch(() => ({ size: 0 }))).size;
    if (bytes <= maxBytes) continue;
    // The month that crossed the bound goes with all older ones, unless it is the newest.
    removed.push(...kept.slice(0, i === kept.length - 1 ? i : i + 1));
    break;
  }
  await Promise.all(removed.map((month) => rm(monthFile(jobDir, month), { force: true })));
}
