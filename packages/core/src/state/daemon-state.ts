import type { ResolvedConfig } from "../config/types.js";
import { acquireDaemonLock, type DaemonLock } from "./daemon-lock.js";
import { JobStateStore } from "./job-state.js";
import { foldInOneShotRuns } from "./one-shot-runs.js";

/**
 * The daemon's hold on its state folder: the daemon lock (one daemon per folder), `state.json` opened
 * with the backups run by hand meanwhile folded in, and the daemon written down as running. Nothing is
 * left locked when any step fails.
 */
export async function openDaemonState(
  stateDir: string,
  config: ResolvedConfig,
  startedAt: Date,
): Promise<{ readonly lock: DaemonLock; readonly store: JobStateStore }> {
  const lock = await acquireDaemonLock(stateDir, { configFile: config.file });
  try {
    const { store } = await JobStateStore.open(stateDir);
    await foldInOneShotRuns(
      store,
      stateDir,
      config.jobs.map((job) => job.name),
    );
    await store.setDaemon({
      pid: process.pid,
      startedAt: startedAt.toISOString(),
      ...(config.file ? { configFile: config.file } : {}),
    });
    return { lock, store };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
