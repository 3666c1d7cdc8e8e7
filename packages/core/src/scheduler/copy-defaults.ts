import type { CopyTarget } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import type { ResticProvider } from "../restic/restic-provider.js";
import type { ProbeTarget, RunCopy } from "./copy-planner.js";

// The restic side of copies, wired in once the copy action lands (issue 15).

/** The default copy: restic copy through the scheduler's provider. */
export function copyWithRestic(_restic: ResticProvider, _env: NodeJS.ProcessEnv): RunCopy {
  return async () => {
    throw new SimplebackupError("RESTIC_FAILED", "copies to copy_to targets are not available yet");
  };
}

/** The default probe of a target that failed: none yet, so a failed copy waits for its retry delay. */
export const probeTarget: ProbeTarget = async (_target: CopyTarget) => false;
