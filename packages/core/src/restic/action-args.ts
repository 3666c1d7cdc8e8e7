// Until the scheduler split lands: the lead moves this import.
export { nextCheckSubset } from "./commands/check.js";
