import path from "node:path";
import { LAUNCHD_LABEL, renderLaunchdPlist } from "./launchd.js";
import { renderSystemdUnit, SYSTEMD_UNIT_NAME } from "./systemd.js";
import type { ServiceCommand } from "./types.js";
import { renderWindowsTaskXml, WINDOWS_TASK_NAME } from "./windows-task.js";

export type ServicePlatform = "linux" | "darwin" | "win32";

export const SERVICE_PLATFORMS: readonly ServicePlatform[] = ["linux", "darwin", "win32"];

/** Where the user's session lives; passed in so every platform's plan can be built and tested anywhere. */
export interface ServiceHost {
  readonly platform: ServicePlatform;
  readonly homedir: string;
  readonly env: NodeJS.ProcessEnv;
  /** The numeric user id launchd's `gui/<uid>` domain needs (macOS). */
  readonly uid?: number;
  /** The account a Windows logon trigger fires for, e.g. `DESKTOP-1\ada`. */
  readonly userId?: string;
}

export interface ServiceFile {
  readonly path: string;
  readonly content: string;
  /** Task Scheduler reads its XML as UTF-16. */
  readonly encoding: "utf8" | "utf16le";
}

/** A command to run; one that may fail (stopping what is not running) is only reported. */
export interface ServiceStep {
  readonly argv: readonly string[];
  readonly mayFail?: boolean;
}

/** The steps of installing or removing the service, in order; nothing here has run yet. */
export interface ServicePlan {
  readonly platform: ServicePlatform;
  /** The file to write (install) or remove (uninstall). */
  readonly file: ServiceFile;
  /** Commands to run before writing or removing the file. */
  readonly before: readonly ServiceStep[];
  /** Commands to run after writing or removing the file. */
  readonly after: readonly ServiceStep[];
  /** What to tell the user when a command fails. */
  readonly onFailure: string;
  /** Where the daemon's output ends up. */
  readonly logs: string;
}

export function planInstall(host: ServiceHost, command: ServiceCommand): ServicePlan {
  switch (host.platform) {
    case "linux": {
      const file = systemdUnitPath(host);
      return {
        platform: "linux",
        file: { path: file, content: renderSystemdUnit(command), encoding: "utf8" },
        before: [],
        after: [
          { argv: ["systemctl", "--user", "daemon-reload"] },
          { argv: ["systemctl", "--user", "enable", "simplebackup"] },
          // restart rather than start: a reinstall (another config, another Node) takes effect at once
          { argv: ["systemctl", "--user", "restart", "simplebackup"] },
        ],
        onFailure:
          `The unit is written to ${file}, but systemctl could not start it. systemctl --user needs a ` +
          "user session: log in (not su), or on a server run `loginctl enable-linger $USER` once, then " +
          "`systemctl --user daemon-reload && systemctl --user enable --now simplebackup`. Without systemd " +
          "(some containers, WSL 1), start `simplebackup run` from your init system or a login script instead.",
        logs: "journalctl --user -u simplebackup",
      };
    }
    case "darwin": {
      const file = launchdPlistPath(host);
      const logFile = path.posix.join(host.homedir, "Library", "Logs", "simplebackup.log");
      const domain = `gui/${host.uid ?? "$(id -u)"}`;
      return {
        platform: "darwin",
        file: { path: file, content: renderLaunchdPlist({ ...command, logFile }), encoding: "utf8" },
        // A loaded agent must be unloaded before it can be loaded again with the new file.
        before: [{ argv: ["launchctl", "bootout", domain, file], mayFail: true }],
        after: [{ argv: ["launchctl", "bootstrap", domain, file] }],
        onFailure:
          `The agent is written to ${file}, but launchctl could not load it. If it was loaded before, run ` +
          `\`launchctl bootout ${domain} ${file}\` and install again; \`launchctl print ${domain}/${LAUNCHD_LABEL}\` ` +
          "shows its state.",
        logs: logFile,
      };
    }
    case "win32": {
      const file = windowsTaskPath(host);
      const userId = host.userId ?? defaultWindowsUser(host.env);
      return {
        platform: "win32",
        file: { path: file, content: renderWindowsTaskXml({ ...command, userId }), encoding: "utf16le" },
        before: [{ argv: ["schtasks", "/End", "/TN", WINDOWS_TASK_NAME], mayFail: true }],
        after: [
          { argv: ["schtasks", "/Create", "/XML", file, "/TN", WINDOWS_TASK_NAME, "/F"] },
          { argv: ["schtasks", "/Run", "/TN", WINDOWS_TASK_NAME] },
        ],
        onFailure:
          `The task definition is written to ${file}, but schtasks could not register it. Run ` +
          `\`schtasks /Create /XML "${file}" /TN ${WINDOWS_TASK_NAME} /F\` yourself, or import the file in ` +
          "Task Scheduler (Action > Import Task).",
        logs: `Task Scheduler > ${WINDOWS_TASK_NAME} > History, and \`simplebackup status\``,
      };
    }
  }
}

export function planUninstall(host: ServiceHost): ServicePlan {
  switch (host.platform) {
    case "linux": {
      const file = systemdUnitPath(host);
      return {
        platform: "linux",
        file: { path: file, content: "", encoding: "utf8" },
        before: [{ argv: ["systemctl", "--user", "disable", "--now", "simplebackup"] }],
        after: [{ argv: ["systemctl", "--user", "daemon-reload"], mayFail: true }],
        onFailure:
          "systemctl could not stop the service; run `systemctl --user disable --now simplebackup` in a " +
          "login session, then `systemctl --user daemon-reload`.",
        logs: "journalctl --user -u simplebackup",
      };
    }
    case "darwin": {
      const file = launchdPlistPath(host);
      const domain = `gui/${host.uid ?? "$(id -u)"}`;
      return {
        platform: "darwin",
        file: { path: file, content: "", encoding: "utf8" },
        before: [{ argv: ["launchctl", "bootout", domain, file] }],
        after: [],
        onFailure: `launchctl could not unload the agent; run \`launchctl bootout ${domain} ${file}\`.`,
        logs: path.posix.join(host.homedir, "Library", "Logs", "simplebackup.log"),
      };
    }
    case "win32": {
      const file = windowsTaskPath(host);
      return {
        platform: "win32",
        file: { path: file, content: "", encoding: "utf16le" },
        before: [
          { argv: ["schtasks", "/End", "/TN", WINDOWS_TASK_NAME], mayFail: true },
          { argv: ["schtasks", "/Delete", "/TN", WINDOWS_TASK_NAME, "/F"] },
        ],
        after: [],
        onFailure: `schtasks could not remove the task; run \`schtasks /Delete /TN ${WINDOWS_TASK_NAME} /F\`.`,
        logs: `Task Scheduler > ${WINDOWS_TASK_NAME} > History`,
      };
    }
  }
}

/** `~/.config/systemd/user/simplebackup.service`, or under an absolute `$XDG_CONFIG_HOME`. */
function systemdUnitPath(host: ServiceHost): string {
  const xdg = host.env.XDG_CONFIG_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(host.homedir, ".config");
  return path.posix.join(base, "systemd", "user", SYSTEMD_UNIT_NAME);
}

function launchdPlistPath(host: ServiceHost): string {
  return path.posix.join(host.homedir, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`);
}

/** Kept next to the config folder's contents, so the registered task can be read and re-imported. */
function windowsTaskPath(host: ServiceHost): string {
  const appData = host.env.APPDATA || path.win32.join(host.homedir, "AppData", "Roaming");
  return path.win32.join(appData, "simplebackup", "simplebackup-task.xml");
}

function defaultWindowsUser(env: NodeJS.ProcessEnv): string {
  const user = env.USERNAME ?? "";
  return env.USERDOMAIN ? `${env.USERDOMAIN}\\${user}` : user;
}
