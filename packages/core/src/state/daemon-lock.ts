import { type FileHandle, mkdir, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "./process-alive.js";
import { errnoCode, stateError } from "./state-error.js";

export const DAEMON_LOCK_FILE_NAME = "daemon.pid";

interface LockRecord {
  pid: number;
  startedAt: string;
  configFile?: string;
  hostname: string;
}

export interface DaemonLockInfo {
  pid: number;
  startedAt: string;
  configFile?: string;
  hostname: string;
  /** Whether the PID runs; a lock taken on another host always counts as alive, as it cannot be checked. */
  alive: boolean;
}

export interface DaemonLock {
  readonly file: string;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireDaemonLockOptions {
  /** @default () => new Date() */
  now?: () => Date;
  /** @default os.hostname() */
  hostname?: string;
}

/**
 * Makes this process the one daemon for `stateDir`, so two daemons never run the same jobs or write
 * the same state. A lock left by a process that is gone, on this host, is taken over.
 */
export async function acquireDaemonLock(
  stateDir: string,
  info: { configFile?: string },
  options: AcquireDaemonLockOptions = {},
): Promise<DaemonLock> {
  const file = path.join(stateDir, DAEMON_LOCK_FILE_NAME);
  const hostname = options.hostname ?? os.hostname();
  const record: LockRecord = {
    pid: process.pid,
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
    hostname,
    ...(info.configFile === undefined ? {} : { configFile: info.configFile }),
  };
  const text = `${JSON.stringify(record)}\n`;
  // The file cannot tell two schedulers of one process apart (same PID), so this process keeps count.
  const key = path.resolve(stateDir);
  if (heldInThisProcess.has(key)) {
    throw stateError(
      "STATE_LOCKED",
      `another scheduler in this process (PID ${process.pid}) already uses the state folder ${stateDir}; stop it first or use a different state_dir`,
    );
  }
  try {
    await mkdir(stateDir, { recursive: true });
  } catch (error) {
    throw stateError("STATE_UNWRITABLE", `cannot create the state folder ${stateDir}`, error);
  }

  // Two tries: when a stale lock is removed, another daemon starting at the same moment may create
  // its own first, and that one is then judged like any other.
  for (let attempt = 1; ; attempt++) {
    if (await createExclusive(file, text)) {
      heldInThisProcess.add(key);
      return lockHandle(file, record, () => heldInThisProcess.delete(key));
    }
    const held = await readLockText(file);
    const holder = held === undefined ? undefined : parseLock(held);
    if (holder && holdsLock(holder, hostname)) throw lockedError(holder, stateDir, hostname);
    if (attempt >= 2) throw lockedError(holder, stateDir, hostname);
    // Only what was judged stale is removed, so a lock another daemon has just taken is left alone
    // (but for the instant between this read and the removal).
    if (held !== undefined && (await readLockText(file)) === held) await rm(file, { force: true });
  }
}

async function createExclusive(file: string, text: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(file, "wx");
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

function holdsLock(holder: LockRecord, hostname: string): boolean {
  if (holder.hostname !== hostname) return true;
  // Our own PID in the file can only be left from an earlier life: a container's PID 1 after a restart.
  if (holder.pid === process.pid) return false;
  return isAlive(holder.pid);
}

function lockedError(holder: LockRecord | undefined, stateDir: string, hostname: string) {
  if (!holder) {
    return stateError(
      "STATE_LOCKED",
      `another simplebackup daemon is starting with state folder ${stateDir}; try again in a moment`,
    );
  }
  const config = holder.configFile ? `, config ${holder.configFile}` : "";
  const where = holder.hostname === hostname ? "" : ` on host ${holder.hostname}`;
  const what = `another simplebackup daemon (PID ${holder.pid}${where}, started ${holder.startedAt}${config})`;
  const advice =
    holder.hostname === hostname
      ? "stop it first or use a different state_dir"
      : `stop it first or use a different state_dir; if it is no longer running, delete ${path.join(stateDir, DAEMON_LOCK_FILE_NAME)}`;
  return stateError("STATE_LOCKED", `${what} is already running with state folder ${stateDir}; ${advice}`);
}

const heldInThisProcess = new Set<string>();

function lockHandle(file: string, record: LockRecord, forget: () => void): DaemonLock {
  return {
    file,
    async release() {
      forget();
      const current = parseLock((await readLockText(file)) ?? "");
      if (current?.pid === record.pid && current.startedAt === record.startedAt) {
        await rm(file, { force: true });
      }
    },
  };
}

/** The daemon that holds `stateDir`, for `status`; undefined when none does. */
export async function readDaemonLock(
  stateDir: string,
  options: { hostname?: string } = {},
): Promise<DaemonLockInfo | undefined> {
  const text = await readLockText(path.join(stateDir, DAEMON_LOCK_FILE_NAME));
  const holder = text === undefined ? undefined : parseLock(text);
  if (!holder) return undefined;
  const hostname = options.hostname ?? os.hostname();
  return { ...holder, alive: holder.hostname !== hostname || isAlive(holder.pid) };
}

async function readLockText(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, "utf8");
    if (text !== "") return text;
    // An empty file is a lock being created right now (between open and write) or one torn by a crash;
    // a moment later tells which.
    await sleep(100);
    return await readFile(file, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw stateError("STATE_UNWRITABLE", `cannot read ${file}`, error);
  }
}

function parseLock(text: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.pid !== "number" || !Number.isSafeInteger(r.pid) || r.pid <= 0) return undefined;
  if (typeof r.startedAt !== "string" || typeof r.hostname !== "string") return undefined;
  return {
    pid: r.pid,
    startedAt: r.startedAt,
    hostname: r.hostname,
    ...(typeof r.configFile === "string" ? { configFile: r.configFile } : {}),
  };
}
