import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { SimplebackupError } from "../errors.js";

const INSTALL_HINT = [
  "Install restic, then try again:",
  "  Debian/Ubuntu: sudo apt-get install restic",
  "  Fedora:        sudo dnf install restic",
  "  macOS:         brew install restic",
  "  Windows:       winget install restic.restic  (or scoop install restic)",
  "or point to the binary with restic_binary in the config or the RESTIC_BINARY environment variable.",
].join("\n");

export interface LocateResticOptions {
  /** `restic_binary` from the config. */
  readonly configured?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

/** Finds restic: the config's `restic_binary`, else `RESTIC_BINARY`, else PATH. */
export async function locateRestic(options: LocateResticOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const wanted = options.configured ?? env.RESTIC_BINARY;
  if (wanted) {
    const looksLikePath = isAbsolute(wanted) || wanted.includes("/") || wanted.includes("\\");
    const found = looksLikePath
      ? (await isExecutable(wanted))
        ? wanted
        : undefined
      : await searchPath(wanted, env, platform);
    if (found) return found;
    throw new SimplebackupError("RESTIC_NOT_FOUND", `restic was not found at ${wanted}.\n${INSTALL_HINT}`);
  }
  const found = await searchPath("restic", env, platform);
  if (found) return found;
  throw new SimplebackupError("RESTIC_NOT_FOUND", `restic was not found on PATH.\n${INSTALL_HINT}`);
}

async function searchPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<string | undefined> {
  const pathValue = env.PATH ?? env.Path ?? "";
  const extensions = platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of pathValue.split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
