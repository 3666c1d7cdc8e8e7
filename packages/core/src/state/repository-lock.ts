import { createHash, randomUUID } from "node:crypto";
import { readFileSync, realpathSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { SimplebackupError } from "../errors.js";
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

/**
 * One writer per repository across the simplebackup processes of this machine: the daemon's runs and
 * the commands a person starts take `<stateDir>/locks/<hash>.lock` before they touch a repository, so
 * a hand-run backup and a scheduled one wait for each other instead of failing on restic's lock.
 * restic's own lock stays the last word for other hosts and other tools.
 */
const REPOSITORY_LOCKS_FOLDER = "locks";

/** Whose work a lock covers, for the person who has to wait for it. */
export interface RepositoryLockPurpose {
  readonly job: string;
  /** What the holder runs, in words: `simplebackup forget`, `the daemon's scheduled backup`. */
  readonly activity: string;
}

export interface RepositoryLockHolder extends RepositoryLockPurpose {
  readonly pid: number;
  readonly hostname: string;
  readonly acquiredAt: string;
}

interface LockRecord extends RepositoryLockHolder, LockOwner {
  /** Tells two holders in one process (same PID) apart, and a release from a lock taken over. */
  readonly token: string;
}

export interface RepositoryLock {
  readonly file: string;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface RepositoryLockOptions {
  /** Aborting stops the wait: the acquire rejects with INTERRUPTED and leaves no lock. */
  readonly signal?: AbortSignal;
  /** false: reject at once with REPOSITORY_BUSY instead of waiting. @default true */
  readonly wait?: boolean;
  /** How often a waiter looks again. @default 250 */
  readonly pollMs?: number;
  /** Told once, when this acquirer starts waiting. */
  readonly onWaiting?: (holder: RepositoryLockHolder, message: string) => void;
  /** The wait between looks; the scheduler passes its clock's. @default a timer */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** @default os.hostname() */
  readonly hostname?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** Another simplebackup process works on the repository, and the caller would not wait. */
export class RepositoryBusyError extends SimplebackupError {
  override name = "RepositoryBusyError";
  readonly holder: RepositoryLockHolder | undefined;

  constructor(holder: RepositoryLockHolder | undefined) {
    super(
      "REPOSITORY_BUSY",
      holder
        ? `${describeHolder(holder)} works on the same repository; nothing ran. Try again when it is done, or leave out --no-wait to wait for it`
        : "another simplebackup process is taking the repository's lock; nothing ran. Try again in a moment",
    );
    this.holder = holder;
  }
}

/**
 * The key of a repository: the same repository written two ways (`local:/r`, `/r/`, a symlink to it)
 * gets one lock. Backend URLs are taken as written.
 */
function normalizeRepository(repository: string): string {
  const local = repository.startsWith("local:") ? repository.slice("local:".length) : repository;
  if (!path.isAbsolute(local)) return repository;
  const resolved = path.resolve(local);
  // The repository may not exist yet (the first backup creates it): its nearest folder that does.
  for (let dir = resolved, rest = ""; ; ) {
    try {
      return path.join(realpathSync(dir), rest);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return resolved;
      rest = path.join(path.basename(dir), rest);
      dir = parent;
    }
  }
}

/** `<stateDir>/locks/<hash>.lock`: hashed, so credentials in a URL never reach a file name. */
export function repositoryLockFile(stateDir: string, repository: string): string {
  const hash = createHash("sha256").update(normalizeRepository(repository)).digest("hex").slice(0, 20);
  return path.join(stateDir, REPOSITORY_LOCKS_FOLDER, `${hash}.lock`);
}

/** `waiting for photos on the same repository (held by PID 4242, simplebackup forget)`. */
function waitingMessage(holder: RepositoryLockHolder, hostname: string = os.hostname()): string {
  const where = holder.hostname === hostname ? "" : ` on host ${holder.hostname}`;
  return `waiting for ${holder.job} on the same repository (held by PID ${holder.pid}${where}, ${holder.activity})`;
}

// Who holds the lock, not since when: `holder.acquiredAt` has that, and formatLocalTime would write it
// for people, but the message has never said it (a refactor keeps the wording).
function describeHolder(holder: RepositoryLockHolder): string {
  return `${holder.job} (PID ${holder.pid}, ${holder.activity})`;
}

/**
 * Takes the repository's lock without waiting: the lock, or the holder that has it (undefined when
 * it could not be read, such as a lock being created at this moment).
 */
export async function tryRepositoryLock(
  stateDir: string,
  repository: string,
  purpose: RepositoryLockPurpose,
  options: Pick<RepositoryLockOptions, "hostname" | "now"> = {},
): Promise<{ lock: RepositoryLock } | { holder: RepositoryLockHolder | undefined }> {
  const file = repositoryLockFile(stateDir, repository);
  const hostname = options.hostname ?? os.hostname();
  const record: LockRecord = {
    ...ownerHere(hostname),
    job: purpose.job,
    activity: purpose.activity,
    acquiredAt: (options.now ?? (() => new Date()))().toISOString(),
    token: randomUUID(),
  };
  try {
    await mkdir(path.dirname(file), { recursive: true });
  } catch (error) {
    throw stateError("STATE_UNWRITABLE", `cannot create the locks folder ${path.dirname(file)}`, error);
  }
  // A few tries: a lock released or judged stale between our create and our read is simply gone.
  for (let attempt = 0; attempt < 3; attempt++) {
    // Known before the file exists: another acquirer of this process may read it before we return.
    creating.add(record.token);
    try {
      if (await createExclusive(file, `${JSON.stringify(record)}\n`)) {
        return { lock: holdLock(file, record.token) };
      }
    } finally {
      creating.delete(record.token);
    }
    const held = await readLock(file, parseRecord);
    if (held === undefined) continue;
    const { holder } = held;
    if (holder && holds(file, holder, hostname)) return { holder: publicHolder(holder) };
    // A holder that is gone (killed, crashed) or a file torn by a crash: taken over.
    await removeIfUnchanged(file, held.text);
  }
  return { holder: undefined };
}

/**
 * Takes the repository's lock, waiting while another simplebackup process holds it (or rejecting
 * with REPOSITORY_BUSY when `wait` is false).
 * @throws SimplebackupError REPOSITORY_BUSY, INTERRUPTED (the signal aborted the wait), STATE_UNWRITABLE
 */
export async function acquireRepositoryLock(
  stateDir: string,
  repository: string,
  purpose: RepositoryLockPurpose,
  options: RepositoryLockOptions = {},
): Promise<RepositoryLock> {
  const { signal, pollMs = 250 } = options;
  const sleep = options.sleep ?? ((ms, s) => delay(ms, undefined, { signal: s }));
  let told = false;
  for (;;) {
    if (signal?.aborted) throw interrupted();
    const taken = await tryRepositoryLock(stateDir, repository, purpose, options);
    if ("lock" in taken) {
      // Aborted while the lock was being taken: nothing may run, so nothing may hold it.
      if (signal?.aborted) {
        await taken.lock.release();
        throw interrupted();
      }
      return taken.lock;
    }
    if (options.wait === false) throw new RepositoryBusyError(taken.holder);
    if (!told && taken.holder) {
      told = true;
      options.onWaiting?.(taken.holder, waitingMessage(taken.holder, options.hostname));
    }
    try {
      await sleep(pollMs, signal);
    } catch (error) {
      if (signal?.aborted) throw interrupted();
      throw error;
    }
  }
}

/** Runs `work` holding the repository's lock, released however `work` ends. */
export async function withRepositoryLock<T>(
  stateDir: string,
  repository: string,
  purpose: RepositoryLockPurpose,
  work: () => Promise<T>,
  options: RepositoryLockOptions = {},
): Promise<T> {
  const lock = await acquireRepositoryLock(stateDir, repository, purpose, options);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

function interrupted(): SimplebackupError {
  return new SimplebackupError("INTERRUPTED", "interrupted while waiting for the repository");
}

/** Locks this process holds, by file, with the token each was taken with. */
const heldHere = new Map<string, string>();
/** Tokens of locks this process is writing right now. */
const creating = new Set<string>();

/**
 * Our own PID in a lock file is alive only while this process holds that very lock: one process may
 * run a scheduler and a library call on one repository, and the PID cannot tell them apart.
 */
function holds(file: string, holder: LockRecord, hostname: string): boolean {
  if (holder.pid === process.pid && holder.hostname === hostname) {
    return heldHere.get(file) === holder.token || creating.has(holder.token);
  }
  return ownerAlive(holder, hostname);
}

function holdLock(file: string, token: string): RepositoryLock {
  heldHere.set(file, token);
  ensureExitCleanup();
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(file);
      await removeIfOurs(file, parseRecord, (current) => current.token === token);
    },
  };
}

let exitCleanup = false;

/**
 * A process that exits while holding a lock (`process.exit` after a stop that timed out) removes it
 * on the way out, so the next run does not have to judge it stale. Synchronous: `exit` allows no more.
 */
function ensureExitCleanup(): void {
  if (exitCleanup) return;
  exitCleanup = true;
  process.on("exit", () => {
    for (const [file, token] of heldHere) {
      try {
        if (parseRecord(readFileSync(file, "utf8"))?.token === token) rmSync(file, { force: true });
      } catch {}
    }
  });
}

function parseRecord(text: string): LockRecord | undefined {
  return parseLockRecord(text, ({ job, activity, acquiredAt, token }) => {
    if (typeof job !== "string" || typeof activity !== "string") return undefined;
    if (typeof acquiredAt !== "string" || typeof token !== "string") return undefined;
    return { job, activity, acquiredAt, token };
  });
}

function publicHolder({ token: _, processStart: __, ...holder }: LockRecord): RepositoryLockHolder {
  return holder;
}
