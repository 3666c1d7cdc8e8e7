import { useImport } from "./module-import.js";
import { runCli } from "./run-cli.js";

/**
 * The command line's entry. Bundled as CommonJS and run by launch.ts inside a vm.Script (for its
 * code cache), so it is a function the launcher calls, with the launcher's `import()`.
 */
export function start(importer: (url: string) => Promise<unknown>): Promise<void> {
  useImport(importer);
  return runCli(process.argv.slice(2));
}
