import { buildVersionArgs, parseResticVersion, type ResticVersion } from "./commands/version.js";
import { type ResticProcessOptions, type ResticProcessResult, runResticProcess } from "./process.js";

/** One restic binary: runs it, and knows its version after asking once. */
export interface Restic {
  readonly binary: string;
  version(): Promise<ResticVersion | undefined>;
  run(args: readonly string[], options: ResticProcessOptions): Promise<ResticProcessResult>;
}

export function createRestic(binary: string): Restic {
  let version: Promise<ResticVersion | undefined> | undefined;
  return {
    binary,
    version() {
      // `restic version` opens no repository, so asking costs milliseconds; asked at most once.
      version ??= runResticProcess(binary, buildVersionArgs(), { env: {} }).then(
        (result) => parseResticVersion(result.stdout),
        () => undefined,
      );
      return version;
    },
    run: (args, options) => runResticProcess(binary, args, options),
  };
}
