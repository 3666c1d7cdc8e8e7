import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { locateRestic } from "../restic/locate.js";
import { createRestic } from "../restic/restic.js";
import type { PathFacts, PreflightIO } from "./preflight.js";

/** The preflight checks' view of this machine: its files, this process's environment, its PATH. */
export function createPreflightIO(
  options: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {},
): PreflightIO {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  // locateRestic's own rule (a path as written, else PATH with PATHEXT) is the one a run uses.
  const find = (configured: string | undefined) =>
    locateRestic({ configured, env, platform }).then(
      (found) => found,
      () => undefined,
    );
  return {
    env,
    platform,
    stat: statPath,
    which: (program) => find(program),
    findRestic: find,
    resticVersion: (binary) => createRestic(binary).version(),
  };
}

async function statPath(file: string): Promise<PathFacts | undefined> {
  try {
    const info = await stat(file);
    const type = info.isFile() ? "file" : info.isDirectory() ? "directory" : "other";
    const readable = await access(file, constants.R_OK).then(
      () => true,
      () => false,
    );
    return { type, mode: info.mode & 0o7777, size: info.size, readable };
  } catch {
    return undefined;
  }
}
