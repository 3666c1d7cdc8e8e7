import { homedir } from "node:os";
import { loadConfigFile, locateConfigFile, type ResolvedConfig } from "@simplebackup/core";
import { checkNotifications } from "./notifications.js";

const ORIGIN_TEXT = {
  flag: "from --config",
  env: "from SIMPLEBACKUP_CONFIG",
  cwd: "in the current folder",
  platform: "in the user config folder",
} as const;

/** Finds and loads the config, and says on stderr which file it used (stdout stays clean for --json). */
export async function loadCliConfig(explicit: string | undefined): Promise<ResolvedConfig> {
  const location = locateConfigFile({
    explicit,
    env: process.env,
    cwd: process.cwd(),
    platform: process.platform,
    homedir: homedir(),
  });
  console.error(`config: ${location.path} (${ORIGIN_TEXT[location.origin]})`);
  const config = await loadConfigFile(location.path);
  await checkNotifications(config);
  return config;
}

export const configArg = {
  config: {
    type: "string",
    description:
      "Config file (default: $SIMPLEBACKUP_CONFIG, ./backup_config.json, then the user config folder)",
    valueHint: "FILE",
  },
} as const;
