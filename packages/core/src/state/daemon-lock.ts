import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { formatLocalTime } from "../format/local-time.js";
import {
  createExclusive,
  type LockOwner,
  ownerAlive,
  ownerHere,
  parseLockRecord,
  readLock,
  removeIfOurs,
  removeIfUnchanged,
} from "./lock-file.js";
import { stateError } from "./state-error.js";

const DAEMON_LOCK_FILE_NAME = "daemon.pid";

interface LockRecord extends LockOwner {
  readonly startedAt: string;
  readonly configFile?: string;
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
    ...ownerHere(hostname),
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
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
    const held = await readLock(file, parseLock);
    const holder = held?.holder;
    if (holder && ownerAlive(holder, hostname)) throw lockedError(holder, stateDir, hostname);
    if (attempt >= 2) throw lockedError(holder, stateDir, hostname);
    if (held !== undefined) await removeIfUnchanged(file, held.text);
  }
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
  const what = `another simplebackup daemon (PID ${holder.pid}${where}, started ${formatLocalTime(holder.startedAt)}${config})`;
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
      await removeIfOurs(
        file,
        parseLock,
        (current) => current.pid === record.pid && current.startedAt === record.startedAt,
      );
    },
  };
}

/** The daemon that holds `stateDir`, for `status`; undefined when none does. */
export async function readDaemonLock(
  stateDir: string,
  options: { hostname?: string } = {},
): Promise<DaemonLockInfo | undefined> {
  const holder = (await readLock(path.join(stateDir, DAEMON_LOCK_FILE_NAME), parseLock))?.holder;
  if (!holder) return undefined;
  const hostname = options.hostname ?? os.hostname();
  // This process's own lock is alive; ownerAlive would call it left from an earlier life.
  return { ...holder, alive: holder.pid === process.pid || ownerAlive(holder, hostname) };
}

function parseLock(text: string): LockRecord | undefined {
  return parseLockRecord(text, ({ startedAt, configFile }) =>
    typeof startedAt === "string"
      ? { startedAt, ...(typeof configFile === "string" ? { configFile } : {}) }
      : undefined,
  );
}
