import type { RunConditions } from "../../src/config/types.js";

/** A job's `when` with only the given conditions on. */
export const when = (conditions: Partial<RunConditions>): RunConditions => ({
  onAcPower: false,
  pathExists: [],
  reachable: false,
  command: undefined,
  ...conditions,
});
