import { errnoCode } from "./errno-code.js";

/**
 * Whether a process with this PID exists on this machine. Signal 0 only checks; EPERM means the
 * process exists but belongs to another user. A reused PID reads as alive: there is no portable way
 * to tell, and erring that way never lets two daemons share a state folder.
 */
export function isAlive(pid: number): boolean {
  // 0 and negative PIDs address process groups, never one process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== "ESRCH";
  }
}
