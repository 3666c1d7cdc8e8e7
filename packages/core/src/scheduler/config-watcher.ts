import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { loadConfigFile } from "../config/load.js";
import type { BackupJob, ResolvedConfig } from "../config/types.js";
import type { Clock, TimerHandle } from "./clock.js";

const DEBOUNCE_MS = 250;

/**
 * The daemon's config file: read with a stamp (modification time, size, inode), watched for edits, and
 * compared against the stamp before every run, so an edit counts even where watching does not work.
 */
export class ConfigWatcher {
  private stamp: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: TimerHandle | undefined;

  constructor(
    readonly path: string,
    private readonly clock: Clock,
  ) {}

  /** Loads the file (a ConfigError when it is invalid). */
  async read(): Promise<ResolvedConfig> {
    // Stamped before loading: a broken file is reported once, not again before every run.
    this.stamp = await fileStamp(this.path);
    return loadConfigFile(this.path);
  }

  /** Whether the file differs from the one read last. */
  async changed(): Promise<boolean> {
    return (await fileStamp(this.path)) !== this.stamp;
  }

  /** Calls `onEdit` once the file settles after an edit (a burst of writes is one edit). */
  watch(onEdit: () => void): void {
    const name = basename(this.path);
    try {
      // The folder, not the file: editors save by writing a new file and renaming it over the old one.
      this.watcher = watch(dirname(this.path), (_event, filename) => {
        if (filename !== null && filename.toString() !== name) return;
        if (this.debounce) this.clock.clearTimer(this.debounce);
        this.debounce = this.clock.setTimer(() => {
          this.debounce = undefined;
          onEdit();
        }, DEBOUNCE_MS);
      });
      this.watcher.on("error", () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No watching on this file system: the check before every run still picks changes up.
    }
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce) this.clock.clearTimer(this.debounce);
    this.debounce = undefined;
  }
}

/** What a reload changes: jobs by name. */
export interface JobsDiff {
  readonly added: readonly BackupJob[];
  readonly removed: readonly string[];
  /** Jobs whose definition differs, as the new config reads them. */
  readonly changed: readonly BackupJob[];
}

/** Compares the jobs scheduled now with a new config's, by name and then by every resolved field. */
export function diffJobs(current: ReadonlyMap<string, BackupJob>, next: readonly BackupJob[]): JobsDiff {
  const names = new Set(next.map((job) => job.name));
  return {
    added: next.filter((job) => !current.has(job.name)),
    removed: [...current.keys()].filter((name) => !names.has(name)),
    changed: next.filter((job) => {
      const before = current.get(job.name);
      return before !== undefined && !isDeepStrictEqual(before, job);
    }),
  };
}

async function fileStamp(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}:${info.ino}`;
  } catch {
    return undefined;
  }
}
