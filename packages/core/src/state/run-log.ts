import { createHash } from "node:crypto";
import { close, createWriteStream, fsync, type WriteStream } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { errnoCode } from "../system/errno-code.js";
import { syncDir } from "./atomic-file.js";
import { fileTimestamp } from "./file-timestamp.js";
import { stateError } from "./state-error.js";

const LOGS_DIR_NAME = "logs";

const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

// Names Windows reserves for devices, with or without an extension ("con.txt" is reserved too).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * A folder name for a job that is valid on every platform and unique per job name. The hash is always
 * added: names that differ only in case, or only in characters replaced here, would otherwise share a
 * folder on case-insensitive filesystems (macOS, Windows).
 */
export function safeJobName(job: string): string {
  let safe = job.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64);
  // A leading dot hides the folder on Unix; "." and ".." are not folders of ours at all.
  safe = safe.replace(/^\./, "_");
  if (WINDOWS_RESERVED.test(safe.split(".")[0] ?? "")) safe = `_${safe}`;
  const hash = createHash("sha256").update(job, "utf8").digest("hex").slice(0, 6);
  return `${safe || "job"}-${hash}`;
}

export function runLogDir(stateDir: string, job: string): string {
  return path.join(stateDir, LOGS_DIR_NAME, safeJobName(job));
}

export interface RunLog {
  readonly path: string;
  /** Writes one line (or several, each prefixed) with the current time; never throws. */
  line(text: string): void;
  /**
   * Flushes and fsyncs the file. Rejects with STATE_UNWRITABLE when some lines could not be written;
   * callers that must not fail a run over its log should catch it.
   */
  close(): Promise<void>;
}

export interface CreateRunLogOptions {
  /** The time put before each line. @default () => new Date() */
  clock?: () => Date;
}

/** The part of a run's id its log file is named by: safe in a file name, whatever the id holds. */
function shortRunId(runId: string): string {
  return runId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 8);
}

/**
 * The log file of one run of a job, or undefined when there is none (pruned, or never written). The
 * name is taken from the folder's listing, never built from the arguments, so no job name or run id
 * can lead outside the job's log folder. A run started in the same millisecond as another with the
 * same 8-character prefix is not told apart: the newest is returned.
 */
export async function findRunLog(stateDir: string, job: string, runId: string): Promise<string | undefined> {
  const dir = runLogDir(stateDir, job);
  const suffix = `-${shortRunId(runId)}.log`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return undefined;
    throw stateError("STATE_UNWRITABLE", `cannot list the run logs in ${dir}`, error);
  }
  const name = names
    .filter((candidate) => candidate.endsWith(suffix))
    .sort()
    .at(-1);
  return name === undefined ? undefined : path.join(dir, name);
}

/** Opens `<state>/logs/<job>/<timestamp>-<runId8>.log`; names sort by the time the run started. */
export async function createRunLog(
  stateDir: string,
  job: string,
  runId: string,
  now: Date,
  options: CreateRunLogOptions = {},
): Promise<RunLog> {
  const clock = options.clock ?? (() => new Date());
  const dir = runLogDir(stateDir, job);
  const file = path.join(dir, `${fileTimestamp(now)}-${shortRunId(runId)}.log`);
  let stream: WriteStream | undefined;
  try {
    await mkdir(dir, { recursive: true });
    // autoClose is off so the descriptor outlives the stream's end, for close() to fsync it.
    const opening = createWriteStream(file, { flags: "a", encoding: "utf8", autoClose: false });
    stream = opening;
    const fd = await new Promise<number>((resolve, reject) => {
      opening.once("open", resolve);
      opening.once("error", reject);
    });
    return openRunLog(file, opening, fd, clock);
  } catch (error) {
    stream?.destroy();
    throw stateError("STATE_UNWRITABLE", `cannot create the run log ${file}`, error);
  }
}

function openRunLog(file: string, stream: WriteStream, fd: number, clock: () => Date): RunLog {
  let failure: unknown;
  stream.on("error", (error) => {
    failure ??= error;
  });
  let closing: Promise<void> | undefined;

  return {
    path: file,
    line(text) {
      if (closing || failure !== undefined) return;
      try {
        const at = clock().toISOString();
        const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
        stream.write(lines.map((line) => `${at} ${line}\n`).join(""));
      } catch (error) {
        failure ??= error;
      }
    },
    close() {
      closing ??= (async () => {
        try {
          if (failure === undefined) {
            await new Promise<void>((resolve, reject) => {
              stream.once("error", reject);
              stream.end(resolve);
            });
            if (failure === undefined) await fsyncAsync(fd);
          }
        } catch (error) {
          failure ??= error;
        } finally {
          await closeAsync(fd).catch(() => {});
        }
        if (failure !== undefined) {
          throw stateError("STATE_UNWRITABLE", `cannot write the run log ${file}`, failure);
        }
        await syncDir(path.dirname(file));
      })();
      return closing;
    },
  };
}

/** Removes a job's oldest run logs beyond the newest `keep`; returns how many it removed. */
export async function pruneRunLogs(stateDir: string, job: string, keep: number): Promise<number> {
  const dir = runLogDir(stateDir, job);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return 0;
    throw stateError("STATE_UNWRITABLE", `cannot list the run logs in ${dir}`, error);
  }
  const logs = names.filter((name) => name.endsWith(".log")).sort();
  const excess = logs.slice(0, Math.max(0, logs.length - Math.max(0, keep)));
  try {
    for (const name of excess) await rm(path.join(dir, name), { force: true });
  } catch (error) {
    throw stateError("STATE_UNWRITABLE", `cannot remove old run logs in ${dir}`, error);
  }
  return excess.length;
}
