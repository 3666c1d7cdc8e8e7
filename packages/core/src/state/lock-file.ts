import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { type FileHandle, link, open, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { parseJsonObject } from "../json-object.js";
import { errnoCode } from "../system/errno-code.js";
import { isAlive } from "../system/process-alive.js";
import { stateError } from "./state-error.js";
import { readStateText } from "./state-text.js";

/**
 * What the lock files of the state folder (`daemon.pid`, `locks/*.lock`) share: the owner fields each
 * begins with, an atomic create, a careful read, and one rule for whether the process named in a file
 * still holds it.
 */

/** Who wrote a lock file: enough to tell whether that process still runs. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** The process's start, where the system tells it (Linux): tells a reused PID from the holder. */
  readonly processStart?: string;
}

/**
 * Creates `file` with `text` only if it does not exist: false when another has it. The text is written
 * and synced under a private name first and then linked to `file`: link(2) fails when the name exists,
 * as O_EXCL does, and a lock is never seen empty or half-written. (With O_EXCL alone a reader could
 * catch the file between its creation and its write, judge it torn and remove a lock just taken.)
 */
export async function createExclusive(file: string, text: string): Promise<boolean> {
  const draft = `${file}.${process.pid}-${randomUUID()}.tmp`;
  await writeNewFile(draft, text, file);
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    // A file system without hard links (FAT, some network mounts): O_EXCL, whose empty instant
    // readLockText allows for.
    if (NO_LINKS.has(errnoCode(error) ?? "")) return writeNewFile(file, text, file);
    throw stateError("STATE_UNWRITABLE", `cannot create ${file}`, error);
  } finally {
    await rm(draft, { force: true });
  }
}

const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

/** Writes `text` to a new file `name` and syncs it: false when `name` exists. */
async function writeNewFile(name: string, text: string, file: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(name, "wx", 0o600);
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw stateError("STATE_UNWRITABLE", `cannot create ${file}`, error);
  }
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** The lock's text, or undefined when there is no lock. */
async function readLockText(file: string): Promise<string | undefined> {
  const text = await readStateText(file);
  if (text !== "") return text;
  // An empty file is a lock being created right now (between open and write) or one torn by a crash;
  // a moment later tells which.
  await sleep(100);
  return readStateText(file);
}

/**
 * The lock in `file`: its text, to judge it by (see removeIfUnchanged), and its holder as `parse`
 * reads the text (undefined when the file is torn or not a lock); undefined when there is no lock.
 */
export async function readLock<T>(
  file: string,
  parse: (text: string) => T | undefined,
): Promise<{ readonly text: string; readonly holder: T | undefined } | undefined> {
  const text = await readLockText(file);
  return text === undefined ? undefined : { text, holder: parse(text) };
}

/**
 * Removes a lock judged stale, only if it still reads as it did when judged: a lock another process
 * has just taken is left alone (but for the instant between this read and the removal).
 */
export async function removeIfUnchanged(file: string, judged: string): Promise<void> {
  if ((await readLockText(file)) === judged) await rm(file, { force: true });
}

/** Removes the lock in `file` on release, only if `ours` tells it is still the one this holder took. */
export async function removeIfOurs<T>(
  file: string,
  parse: (text: string) => T | undefined,
  ours: (holder: T) => boolean,
): Promise<void> {
  const holder = (await readLock(file, parse))?.holder;
  if (holder !== undefined && ours(holder)) await rm(file, { force: true });
}

/** This process as the owner of a lock it takes on `hostname`. */
export function ownerHere(hostname: string): LockOwner {
  return owner(process.pid, hostname, processStart(process.pid));
}

function owner(pid: number, hostname: string, start: string | undefined): LockOwner {
  return { pid, ...(start === undefined ? {} : { processStart: start }), hostname };
}

/**
 * Whether the process that wrote a lock still holds it. A lock taken on another host counts as held,
 * since it cannot be checked from here. Our own PID is never alive here: a file naming it can only be
 * left from an earlier life (a container's PID 1 after a restart), so callers that may hold a lock
 * twice in one process track that themselves. A PID now used by another process (after a reboot, PIDs
 * start over) reads as gone where the start time tells them apart, else as alive, the safe side.
 */
export function ownerAlive(owner: LockOwner, hostname: string): boolean {
  if (owner.hostname !== hostname) return true;
  if (owner.pid === process.pid) return false;
  if (!isAlive(owner.pid)) return false;
  if (owner.processStart === undefined) return true;
  const start = processStart(owner.pid);
  return start === undefined || start === owner.processStart;
}

/**
 * When a process started, as the kernel counts it, plus the boot it belongs to; undefined where
 * /proc does not tell (macOS, Windows). Only ever compared for equality.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses; the fields after its last `)` do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = fields[19]; // field 22, starttime
    if (ticks === undefined || !/^\d+$/.test(ticks)) return undefined;
    return `${bootId() ?? "boot"}:${ticks}`;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined | null = null;

function bootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}

/**
 * A lock file's record: its owner fields, checked here, and the fields of its kind of lock, which
 * `fields` reads from the JSON (undefined when one is missing or wrong); undefined when the file is
 * torn or not a lock.
 */
export function parseLockRecord<T extends object>(
  text: string,
  fields: (json: Record<string, unknown>) => T | undefined,
): (LockOwner & T) | undefined {
  const r = parseJsonObject(text);
  if (!r) return undefined;
  if (typeof r.pid !== "number" || !Number.isSafeInteger(r.pid) || r.pid <= 0) return undefined;
  if (typeof r.hostname !== "string") return undefined;
  if (r.processStart !== undefined && typeof r.processStart !== "string") return undefined;
  const own = fields(r);
  return own && { ...owner(r.pid, r.hostname, r.processStart), ...own };
}
