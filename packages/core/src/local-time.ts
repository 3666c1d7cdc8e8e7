// Only for scheduler/backup-scheduler.ts, which is being split: its parts import
// format/local-time.js, and this file goes with the old facade's import (issue 14).
export { formatLocalTime } from "./format/local-time.js";
