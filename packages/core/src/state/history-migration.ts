import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../system/errno-code.js";
import { syncDir } from "./atomic-file.js";
import { historyDir, jobHistoryDir, monthFile } from "./history-files.js";
import { readLines } from "./history-lines.js";
import { parseRunRecord, recordMonth } from "./history-record.js";

/** The single history file of versions before the per-job store (issue 17). */
const LEGACY_FILE_NAME = "history.jsonl";

// Per process, the state folders whose history is known to be in the per-job store.
const migrations = new Map<string, Promise<void>>();

/**
 * Moves an old `history.jsonl` into the per-job store, once. The new store is built whole in a
 * private folder and renamed into place, so a crash leaves either the old file or the new store, and
 * two processes upgrading at once (the daemon and a CLI run) produce one store: the rename of the
 * slower one fails and its copy is dropped. The old file is removed only after the new store is on disk.
 */
export function migrateLegacyHistory(stateDir: string): Promise<void> {
  let migration = migrations.get(stateDir);
  if (!migration) {
    migration = migrate(stateDir);
    migrations.set(stateDir, migration);
    // A failure (a read-only state folder) is retried at the next call, not remembered.
    migration.catch(() => migrations.delete(stateDir));
  }
  return migration;
}

async function migrate(stateDir: string): Promise<void> {
  if (await exists(historyDir(stateDir))) return;
  const legacy = path.join(stateDir, LEGACY_FILE_NAME);
  const lines = await readLines(legacy);
  if (lines.length === 0) return;
  const draft = path.join(stateDir, `.history-migrating-${process.pid}-${randomUUID()}`);
  try {
    await writeStore(draft, lines);
    try {
      await rename(historyDir(draft), historyDir(stateDir));
    } catch (error) {
      // Another process moved its copy in first (ENOTEMPTY, EEXIST; EPERM on Windows): that one stands.
      if (!(await exists(historyDir(stateDir)))) throw error;
      return;
    }
    await syncDir(stateDir);
    await rm(legacy, { force: true });
  } finally {
    await rm(draft, { recursive: true, force: true });
  }
}

/** Writes the lines that are run records into a store under `root` (its `history` folder), each file fsynced. */
async function writeStore(root: string, lines: readonly string[]): Promise<void> {
  const files = new Map<string, string[]>();
  for (const line of lines) {
    const record = parseRunRecord(line);
    if (!record) continue;
    const file = monthFile(jobHistoryDir(root, record.job), recordMonth(record));
    const list = files.get(file) ?? [];
    list.push(line);
    files.set(file, list);
  }
  const dirs = new Set([...files.keys()].map((file) => path.dirname(file)));
  await mkdir(historyDir(root), { recursive: true });
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  for (const [file, fileLines] of files) {
    const handle = await open(file, "wx");
    try {
      await handle.writeFile(`${fileLines.join("\n")}\n`, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  for (const dir of dirs) await syncDir(dir);
  await syncDir(historyDir(root));
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw error;
  }
}
