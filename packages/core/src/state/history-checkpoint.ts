import path from "node:path";
import { parseJsonObject } from "../json-object.js";
import { writeFileAtomic } from "./atomic-file.js";
import { isMonth, parseRunRecord, type RunHistoryRecord } from "./history-record.js";
import { readStateText } from "./state-text.js";

/**
 * `history/<job>/summary.json`: the job's newest attempt, success and partial run as of a point in its
 * files (a month file and a byte offset in it, at a line's end), so a summary reads only what was
 * appended since. It is a cache of what the files say: written after the fact by whoever summarized,
 * never needed for correctness. A stale one (two writers, the older rename last) only means more lines
 * to read next time; a torn or foreign one is ignored and the files are read whole.
 */

const CHECKPOINT_FILE_NAME = "summary.json";

export interface HistoryCheckpoint {
  /** Everything before this offset of this month's file, and every older month, is summarized. */
  readonly month: string;
  readonly offset: number;
  /** The newest attempt, success and partial run up to there (those the job had). */
  readonly records: readonly RunHistoryRecord[];
}

export async function readCheckpoint(jobDir: string): Promise<HistoryCheckpoint | undefined> {
  const text = await readStateText(path.join(jobDir, CHECKPOINT_FILE_NAME)).catch(() => undefined);
  const value = text === undefined ? undefined : parseJsonObject(text);
  if (!value || typeof value.month !== "string" || !isMonth(value.month)) return undefined;
  if (typeof value.offset !== "number" || !Array.isArray(value.records)) return undefined;
  const records = value.records.map((r) => parseRunRecord(JSON.stringify(r)));
  if (records.some((r) => r === undefined)) return undefined;
  return { month: value.month, offset: value.offset, records: records as RunHistoryRecord[] };
}

/** Best effort: a read-only state folder (a `status` of another user's daemon) just keeps no cache. */
export async function writeCheckpoint(jobDir: string, checkpoint: HistoryCheckpoint): Promise<void> {
  await writeFileAtomic(path.join(jobDir, CHECKPOINT_FILE_NAME), JSON.stringify(checkpoint)).catch(() => {});
}
