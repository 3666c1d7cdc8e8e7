import { dirname } from "node:path";
import { runCopy } from "../actions/copy.js";
import type { ConditionIO } from "../conditions/run-conditions.js";
import { checkRunConditions } from "../conditions/run-conditions.js";
import { localRepositoryPath } from "../config/repository-path.js";
import type { CopyTarget } from "../config/types.js";
import type { ResticProvider } from "../restic/restic-provider.js";
import type { CopyOutcome, ProbeTarget, RunCopy } from "./copy-planner.js";

/** The default copy: `runCopy` (restic copy, then the target's retention) through the scheduler's restic. */
export function copyWithRestic(restic: ResticProvider, env: NodeJS.ProcessEnv, stateDir: string): RunCopy {
  return async (job, target, context): Promise<CopyOutcome> => {
    const result = await runCopy(job, target, {
      restic: await restic.get(),
      env,
      stateDir,
      signal: context.signal,
      log: context.log,
      now: context.now,
    });
    return {
      copied: result.copied,
      snapshotId: result.newest?.id,
      initialized: result.initialized,
      retention:
        result.retention.status === "done"
          ? { kept: result.retention.kept, removed: result.retention.removed }
          : undefined,
    };
  };
}

/**
 * The default probe of a target whose copy failed, without restic: a remote one answers a TCP connect
 * (as the `reachable` condition asks it, proxies and ssh's config included); a local one has its
 * folder's parent (the drive is mounted).
 */
export function probeTargetWith(io: ConditionIO): ProbeTarget {
  return async (target: CopyTarget) => {
    const local = localRepositoryPath(target.repository);
    const verdict = await checkRunConditions(
      {
        name: target.name,
        repository: target.repository,
        env: target.env,
        when: {
          onAcPower: false,
          pathExists: local === undefined ? [] : [dirname(local)],
          reachable: local === undefined,
          command: undefined,
        },
      },
      io,
    );
    return verdict.met;
  };
}
