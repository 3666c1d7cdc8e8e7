import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { errnoCode } from "../system/errno-code.js";

/**
 * Replaces `file` so that a reader, or the file after a crash, holds either the old or the new content,
 * never a mix: the data goes to a temp file that is flushed to disk before it is renamed over.
 * Callers serialize their own writes to one file; the temp name is only unique per process.
 */
export async function writeFileAtomic(
  file: string,
  data: string,
  options: {
    /** The file's mode (0o600 for one that holds a secret), whatever the umask or a leftover temp file. */
    readonly mode?: number;
  } = {},
): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const handle = await open(temp, "w", options.mode ?? 0o666);
    try {
      // open() applies the mode to a new file only: a temp file a crash left keeps its own.
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameReplacing(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
  await syncDir(path.dirname(file));
}

// Windows refuses to replace a file another process has open (a `status` reading it, a virus scanner)
// for a moment; a few short retries ride that out.
async function renameReplacing(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const busy = ["EPERM", "EACCES", "EBUSY"].includes(errnoCode(error) ?? "");
      if (process.platform !== "win32" || !busy || attempt >= 5) throw error;
      await sleep(attempt * 20);
    }
  }
}

/** Makes a rename or a new file in `dir` durable. Best effort: Windows and some filesystems cannot. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data itself was synced; only the directory entry's durability is left to the OS.
  }
}
