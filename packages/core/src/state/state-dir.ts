import path from "node:path";

const STATE_DIR_ENV = "SIMPLEBACKUP_STATE_DIR";

export interface ResolveStateDirOptions {
  /** `state_dir` from the config file, already made absolute by the loader. */
  configured?: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  /** Resolves a relative `SIMPLEBACKUP_STATE_DIR`; without it such a value is returned as given. */
  cwd?: string;
}

// Paths follow the platform asked about, not the host, so every platform's answer can be tested anywhere.
function pathsFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/**
 * The folder for run state, history, run logs and the daemon lock: `state_dir` from the config, then
 * `SIMPLEBACKUP_STATE_DIR`, then the platform's per-user place for state that is not config.
 */
export function resolveStateDir(options: ResolveStateDirOptions): string {
  const paths = pathsFor(options.platform);
  if (options.configured) return options.configured;
  const fromEnv = options.env[STATE_DIR_ENV];
  if (fromEnv) return options.cwd === undefined ? fromEnv : paths.resolve(options.cwd, fromEnv);
  return platformStateDir(options.platform, options.env, options.homedir);
}

function platformStateDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, homedir: string): string {
  const paths = pathsFor(platform);
  if (platform === "win32") {
    // Local, not Roaming: history and logs are about this machine and can grow.
    return paths.join(env.LOCALAPPDATA || paths.join(homedir, "AppData", "Local"), "simplebackup");
  }
  if (platform === "darwin") return paths.join(homedir, "Library", "Application Support", "simplebackup");
  // The XDG spec says to ignore a relative XDG_STATE_HOME.
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && paths.isAbsolute(xdg) ? xdg : paths.join(homedir, ".local", "state");
  return paths.join(base, "simplebackup");
}
