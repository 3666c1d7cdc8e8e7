// The public API of @simplebackup/daemon.

export type { Daemon, DaemonOptions, DaemonStatus, StopOptions } from "./daemon.js";
export { createDaemon } from "./daemon.js";
export type { UnlockNowOptions } from "./unlock-now.js";
