import { escapeXml } from "./quote.js";
import { type ServiceCommand, serviceArgs } from "./types.js";

export const LAUNCHD_LABEL = "com.simplebackup.agent";

export interface LaunchdOptions extends ServiceCommand {
  /** Where the daemon's output goes, e.g. `~/Library/Logs/simplebackup.log`. */
  readonly logFile: string;
}

/**
 * A launchd agent that starts the daemon at login (RunAtLoad) and starts it again when it exits with a
 * failure (KeepAlive unless it exited cleanly, as after `launchctl bootout`).
 */
export function renderLaunchdPlist(options: LaunchdOptions): string {
  const string = (value: string) => `<string>${escapeXml(value)}</string>`;
  const args = [options.node, ...serviceArgs(options)];
  const env = Object.entries(options.env ?? {});
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    "  <key>Label</key>",
    `  ${string(LAUNCHD_LABEL)}`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...args.map((arg) => `    ${string(arg)}`),
    "  </array>",
    ...(env.length === 0
      ? []
      : [
          "  <key>EnvironmentVariables</key>",
          "  <dict>",
          ...env.flatMap(([name, value]) => [`    <key>${escapeXml(name)}</key>`, `    ${string(value)}`]),
          "  </dict>",
        ]),
    "  <key>RunAtLoad</key>",
    "  <true/>",
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>SuccessfulExit</key>",
    "    <false/>",
    "  </dict>",
    "  <key>ThrottleInterval</key>",
    "  <integer>30</integer>",
    "  <key>ProcessType</key>",
    "  <string>Background</string>",
    "  <key>StandardOutPath</key>",
    `  ${string(options.logFile)}`,
    "  <key>StandardErrorPath</key>",
    `  ${string(options.logFile)}`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}
