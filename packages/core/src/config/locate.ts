import { statSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";

const CONFIG_FILE_NAME = "backup_config.json";

export interface ConfigLocation {
  path: string;
  origin: "flag" | "env" | "cwd" | "platform";
}

export interface LocateOptions {
  /** The `--config` flag. */
  explicit?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  platform: NodeJS.Platform;
  homedir: string;
  /** @default a check that the path is an existing file */
  exists?: (file: string) => boolean;
}

// Paths follow the platform asked about, not the host, so every platform's answer can be tested anywhere.
function pathsFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** The per-user folder that holds simplebackup's config on each platform. */
export function platformConfigDir(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  homedir: string,
): string {
  const paths = pathsFor(platform);
  if (platform === "win32") {
    return paths.join(env.APPDATA || paths.join(homedir, "AppData", "Roaming"), "simplebackup");
  }
  if (platform === "darwin") return paths.join(homedir, "Library", "Application Support", "simplebackup");
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && paths.isAbsolute(xdg) ? xdg : paths.join(homedir, ".config");
  return paths.join(base, "simplebackup");
}

/**
 * Finds the config file: `--config`, then `SIMPLEBACKUP_CONFIG`, then `backup_config.json` in the
 * current folder, then in the platform config folder. A file named explicitly must exist; otherwise
 * the error lists every place looked at.
 */
export function locateConfigFile(options: LocateOptions): ConfigLocation {
  const paths = pathsFor(options.platform);
  const exists = options.exists ?? isFile;

  const named: [string | undefined, ConfigLocation["origin"], string][] = [
    [options.explicit, "flag", "given with --config"],
    [options.env.SIMPLEBACKUP_CONFIG, "env", "named by the SIMPLEBACKUP_CONFIG environment variable"],
  ];
  for (const [given, origin, how] of named) {
    if (!given) continue;
    const file = paths.resolve(options.cwd, given);
    if (exists(file)) return { path: file, origin };
    throw new ConfigError("CONFIG_NOT_FOUND", file, [
      { path: "", message: `no such file (${how}); check the path` },
    ]);
  }

  const candidates: [string, ConfigLocation["origin"], string][] = [
    [paths.join(options.cwd, CONFIG_FILE_NAME), "cwd", "current folder"],
    [
      paths.join(platformConfigDir(options.platform, options.env, options.homedir), CONFIG_FILE_NAME),
      "platform",
      "user config folder",
    ],
  ];
  for (const [file, origin] of candidates) {
    if (exists(file)) return { path: file, origin };
  }
  const looked = candidates.map(([file, , label]) => `  ${file} (${label})`).join("\n");
  throw new ConfigError("CONFIG_NOT_FOUND", undefined, [
    {
      path: "",
      message:
        `no config file found. Looked in:\n${looked}\n` +
        `Pass --config FILE, set SIMPLEBACKUP_CONFIG, or run from the folder holding ${CONFIG_FILE_NAME}.`,
    },
  ]);
}

function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false; // unreadable counts as absent here; reading it later reports why
  }
}
