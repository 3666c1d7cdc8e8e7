import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The run records in a state folder's history (`history/<job>/<YYYY-MM>.jsonl`), read straight from
 * the files as a user's `jq` would, every job's in one list ordered by finish time.
 */
export function readHistoryFiles(stateDir: string): Record<string, unknown>[] {
  const root = join(stateDir, "history");
  if (!existsSync(root)) return [];
  const records = readdirSync(root).flatMap((job) =>
    readdirSync(join(root, job))
      .filter((name) => name.endsWith(".jsonl"))
      .flatMap((name) => readFileSync(join(root, job, name), "utf8").split("\n"))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
  return records.sort((a, b) => Date.parse(String(a.finishedAt)) - Date.parse(String(b.finishedAt)));
}
