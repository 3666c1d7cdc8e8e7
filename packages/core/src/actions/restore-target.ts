import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { dirname, parse } from "node:path";
import { actionError } from "./action-options.js";

/**
 * Checks a restore's target before restic writes anything: never the filesystem root (restic's layout,
 * each file below its absolute path, would write over the originals), a folder that is new or empty
 * unless `overwrite`, and one this process can write into. restic itself meets an unwritable target
 * differently per version (0.14 fails each file and exits 1 with nothing written; 0.18 says `cannot
 * create target directory` as a whole), so it is refused here first, the same on both.
 * @throws SimplebackupError TARGET_IN_PLACE, TARGET_NOT_EMPTY, TARGET_UNWRITABLE
 */
export async function assertRestorableTarget(target: string, overwrite: boolean): Promise<void> {
  if (parse(target).root === target) {
    throw actionError(
      "TARGET_IN_PLACE",
      `restoring into ${target} would write over the original files; choose an empty folder to restore into`,
    );
  }
  let entries: string[] | undefined;
  try {
    const info = await stat(target);
    if (!info.isDirectory()) {
      throw actionError(
        "TARGET_NOT_EMPTY",
        `${target} is a file, not a folder; choose a folder to restore into`,
      );
    }
    entries = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "ENOTDIR") throw unwritable(target, target, error);
    if (code !== "ENOENT") throw error;
  }
  if (entries && entries.length > 0 && !overwrite) {
    throw actionError(
      "TARGET_NOT_EMPTY",
      `${target} is not empty (it holds ${entries.length === 1 ? "1 entry" : `${entries.length} entries`}); choose an empty folder, or pass --overwrite to restore over its files`,
    );
  }
  // A new target is made by restic in its nearest existing folder: that one must take new entries.
  const folder = entries ? target : await nearestExisting(dirname(target));
  try {
    await access(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw unwritable(target, folder, error);
  }
}

async function nearestExisting(path: string): Promise<string> {
  for (let folder = path; ; folder = dirname(folder)) {
    try {
      await stat(folder);
      return folder;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" || dirname(folder) === folder) return folder;
    }
  }
}

/** `… is read-only`, `… permission denied`: named with the user, since the daemon's may not be yours. */
function unwritable(target: string, folder: string, error: unknown) {
  const { code } = error as NodeJS.ErrnoException;
  const why =
    code === "EROFS"
      ? "it is on a read-only file system"
      : code === "ENOTDIR"
        ? "a part of the path is a file"
        : `permission denied for user ${currentUser()}`;
  const where = folder === target ? target : `${folder} (where ${target} would be made)`;
  return actionError(
    "TARGET_UNWRITABLE",
    `cannot restore into ${target}: ${where} cannot be written, ${why}; nothing was restored. Choose a folder this user can write to`,
  );
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}
