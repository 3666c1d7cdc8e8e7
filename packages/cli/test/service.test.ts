import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderLaunchdPlist } from "../src/service/launchd.js";
import { planInstall, planUninstall, type ServiceHost } from "../src/service/plan.js";
import { formatShellCommand, quoteSystemdArg, quoteWindowsArg } from "../src/service/quote.js";
import { renderSystemdUnit } from "../src/service/systemd.js";
import { renderWindowsTaskXml } from "../src/service/windows-task.js";

const posix = {
  node: "/usr/local/bin/node",
  bin: "/home/ada/.npm/lib/node_modules/simplebackup/bin/simplebackup.mjs",
  config: "/home/ada/.config/simplebackup/backup_config.json",
};

/** Paths a person may well have: spaces, a quote, a percent sign, a dollar, XML's special characters. */
const awkward = {
  node: "/opt/my tools/node",
  bin: "/home/ada/R&D <tools>/simplebackup.mjs",
  config: '/home/ada/Ada\'s "backups" 100% $HOME/config.json',
  env: { PATH: "/opt/my tools:/usr/bin" },
};

const lines = (text: string) => text.split(/\r?\n/);

describe("quoting", () => {
  it.each([
    ["/usr/bin/node", "/usr/bin/node"],
    ["run", "run"],
    ["/my tools/node", '"/my tools/node"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["C:\\x", '"C:\\\\x"'],
    ["100%", "100%%"],
    ["$HOME", "$$HOME"],
    ["", '""'],
    [";", '";"'],
  ])("quotes %j for a systemd command line as %s", (arg, quoted) => {
    expect(quoteSystemdArg(arg)).toBe(quoted);
  });

  it.each([
    ["C:\\nodejs\\node.exe", "C:\\nodejs\\node.exe"],
    ["C:\\Program Files\\nodejs\\node.exe", '"C:\\Program Files\\nodejs\\node.exe"'],
    ['a"b', '"a\\"b"'],
    ["C:\\dir with space\\", '"C:\\dir with space\\\\"'],
    ['C:\\x y\\"q', '"C:\\x y\\\\\\"q"'],
    ["", '""'],
  ])("quotes %j for a Windows command line as %s", (arg, quoted) => {
    expect(quoteWindowsArg(arg)).toBe(quoted);
  });

  it("shows commands for a POSIX shell", () => {
    expect(formatShellCommand(["launchctl", "bootstrap", "gui/501", "/Users/Ada Lovelace/x.plist"])).toBe(
      "launchctl bootstrap gui/501 '/Users/Ada Lovelace/x.plist'",
    );
    expect(formatShellCommand(["echo", "it's"])).toBe("echo 'it'\\''s'");
  });
});

describe("renderSystemdUnit", () => {
  it("runs `simplebackup run --config` at login and restarts it on failure", () => {
    const unit = lines(renderSystemdUnit({ ...posix, env: { PATH: "/usr/local/bin:/usr/bin" } }));
    expect(unit).toContain("[Unit]");
    expect(unit).toContain("Description=simplebackup: restic backups on schedules");
    expect(unit).toContain(`ExecStart=/usr/local/bin/node ${posix.bin} run --config ${posix.config}`);
    expect(unit).toContain('Environment="PATH=/usr/local/bin:/usr/bin"');
    expect(unit).toContain("Restart=on-failure");
    expect(unit).toContain("[Install]");
    expect(unit).toContain("WantedBy=default.target");
    expect(unit.indexOf("[Service]")).toBeLessThan(unit.indexOf("Restart=on-failure"));
    expect(unit.indexOf("[Install]")).toBeGreaterThan(unit.indexOf("Restart=on-failure"));
  });

  it("quotes paths with spaces and escapes %, $ and quotes", () => {
    const unit = lines(renderSystemdUnit(awkward));
    expect(unit).toContain(
      'ExecStart="/opt/my tools/node" "/home/ada/R&D <tools>/simplebackup.mjs" run --config ' +
        '"/home/ada/Ada\'s \\"backups\\" 100%% $$HOME/config.json"',
    );
    expect(unit).toContain('Environment="PATH=/opt/my tools:/usr/bin"');
  });

  const systemdAnalyze = spawnSync("sh", ["-c", "command -v systemd-analyze"]).status === 0;
  const temp = mkdtempSync(join(tmpdir(), "sb-unit-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it.runIf(systemdAnalyze)(
    systemdAnalyze
      ? "verifies with systemd-analyze (installed on this machine)"
      : "verifies with systemd-analyze (NOT RUN: systemd-analyze is not installed; apt-get install systemd)",
    () => {
      // systemd-analyze checks that ExecStart's program exists, so an unquoted space, or a %h left to
      // expand to the home folder, would fail here: put a real node at such a path.
      const nodeDir = join(temp, "my tools %h");
      mkdirSync(nodeDir, { recursive: true });
      copyFileSync(process.execPath, join(nodeDir, "node"));
      const unitDir = join(temp, "units");
      mkdirSync(unitDir);
      const file = join(unitDir, "simplebackup.service");
      writeFileSync(file, renderSystemdUnit({ ...awkward, node: join(nodeDir, "node") }));
      const runtime = join(temp, "runtime");
      mkdirSync(runtime, { mode: 0o700 });

      const result = spawnSync("systemd-analyze", ["--user", "verify", file], {
        encoding: "utf8",
        env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_LEVEL: "notice" },
      });
      // Unknown keys and bad values are warnings on stderr with exit code 0, so both are checked.
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
    },
  );
});

describe("renderLaunchdPlist", () => {
  const plist = renderLaunchdPlist({ ...posix, logFile: "/Users/ada/Library/Logs/simplebackup.log" });

  it("is a launch agent that runs at load and is kept alive", () => {
    expect(plist.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')).toBe(true);
    expect(plist).toContain("  <key>Label</key>\n  <string>com.simplebackup.agent</string>");
    expect(plist).toContain(
      [
        "  <key>ProgramArguments</key>",
        "  <array>",
        "    <string>/usr/local/bin/node</string>",
        `    <string>${posix.bin}</string>`,
        "    <string>run</string>",
        "    <string>--config</string>",
        `    <string>${posix.config}</string>`,
        "  </array>",
      ].join("\n"),
    );
    expect(plist).toContain("  <key>RunAtLoad</key>\n  <true/>");
    expect(plist).toContain("  <key>KeepAlive</key>\n  <dict>\n    <key>SuccessfulExit</key>\n    <false/>");
    expect(plist).toContain(
      "  <key>StandardErrorPath</key>\n  <string>/Users/ada/Library/Logs/simplebackup.log</string>",
    );
    expect(plist).not.toContain("EnvironmentVariables");
  });

  it("escapes XML in every value", () => {
    const escaped = renderLaunchdPlist({ ...awkward, logFile: "/tmp/a&b.log" });
    expect(escaped).toContain("<string>/home/ada/R&amp;D &lt;tools&gt;/simplebackup.mjs</string>");
    expect(escaped).toContain(
      "<string>/home/ada/Ada&apos;s &quot;backups&quot; 100% $HOME/config.json</string>",
    );
    expect(escaped).toContain(
      "  <key>EnvironmentVariables</key>\n  <dict>\n    <key>PATH</key>\n    <string>/opt/my tools:/usr/bin</string>",
    );
    expect(escaped).toContain("<string>/tmp/a&amp;b.log</string>");
    // Nothing unescaped between the tags.
    for (const line of lines(escaped).filter((l) => l.includes("<string>"))) {
      expect(line.replace(/<\/?string>/g, "")).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/);
    }
  });
});

describe("renderWindowsTaskXml", () => {
  const windows = {
    node: "C:\\Program Files\\nodejs\\node.exe",
    bin: "C:\\Users\\Ada\\AppData\\Roaming\\npm\\node_modules\\simplebackup\\bin\\simplebackup.mjs",
    config: "C:\\Users\\Ada\\My Backups\\backup_config.json",
    userId: "DESKTOP-1\\Ada",
  };
  const xml = renderWindowsTaskXml(windows);

  it("starts the daemon at the user's logon, without a time limit", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-16"?>\r\n<Task version="1.2"')).toBe(true);
    expect(lines(xml)).toContain("    <LogonTrigger>");
    expect(lines(xml)).toContain("      <UserId>DESKTOP-1\\Ada</UserId>");
    expect(lines(xml)).toContain("    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>");
    expect(lines(xml)).toContain("    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>");
    expect(lines(xml)).toContain("      <Command>C:\\Program Files\\nodejs\\node.exe</Command>");
    expect(lines(xml)).toContain(
      `      <Arguments>${windows.bin} run --config &quot;C:\\Users\\Ada\\My Backups\\backup_config.json&quot;</Arguments>`,
    );
    expect(xml.split("\n").every((line, i, all) => i === all.length - 1 || line.endsWith("\r"))).toBe(true);
  });

  it("escapes XML in every value", () => {
    const escaped = renderWindowsTaskXml({ ...windows, config: "C:\\R&D\\<x>.json", userId: "R&D\\Ada" });
    expect(escaped).toContain("<Arguments>");
    expect(escaped).toContain("run --config C:\\R&amp;D\\&lt;x&gt;.json</Arguments>");
    expect(escaped).toContain("<UserId>R&amp;D\\Ada</UserId>");
  });
});

describe("planInstall and planUninstall", () => {
  const linux: ServiceHost = { platform: "linux", homedir: "/home/ada", env: {} };

  it("writes a systemd user unit, then reloads, enables and (re)starts it", () => {
    const plan = planInstall(linux, posix);
    expect(plan.file.path).toBe("/home/ada/.config/systemd/user/simplebackup.service");
    expect(plan.file.content).toBe(renderSystemdUnit(posix));
    expect(plan.before).toEqual([]);
    expect(plan.after.map((step) => step.argv)).toEqual([
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "simplebackup"],
      ["systemctl", "--user", "restart", "simplebackup"],
    ]);
    expect(plan.onFailure).toContain("loginctl enable-linger");
  });

  it("follows an absolute XDG_CONFIG_HOME and ignores a relative one", () => {
    expect(planInstall({ ...linux, env: { XDG_CONFIG_HOME: "/cfg" } }, posix).file.path).toBe(
      "/cfg/systemd/user/simplebackup.service",
    );
    expect(planInstall({ ...linux, env: { XDG_CONFIG_HOME: "cfg" } }, posix).file.path).toBe(
      "/home/ada/.config/systemd/user/simplebackup.service",
    );
  });

  it("disables and stops the unit before removing it", () => {
    const plan = planUninstall(linux);
    expect(plan.file.path).toBe("/home/ada/.config/systemd/user/simplebackup.service");
    expect(plan.before).toEqual([{ argv: ["systemctl", "--user", "disable", "--now", "simplebackup"] }]);
    expect(plan.after).toEqual([{ argv: ["systemctl", "--user", "daemon-reload"], mayFail: true }]);
  });

  it("loads a launchd agent into the user's GUI domain, unloading an old one first", () => {
    const mac: ServiceHost = { platform: "darwin", homedir: "/Users/ada", env: {}, uid: 501 };
    const plist = "/Users/ada/Library/LaunchAgents/com.simplebackup.agent.plist";
    const plan = planInstall(mac, posix);
    expect(plan.file.path).toBe(plist);
    expect(plan.file.content).toContain("<string>/Users/ada/Library/Logs/simplebackup.log</string>");
    expect(plan.before).toEqual([{ argv: ["launchctl", "bootout", "gui/501", plist], mayFail: true }]);
    expect(plan.after).toEqual([{ argv: ["launchctl", "bootstrap", "gui/501", plist] }]);
    expect(planUninstall(mac).before).toEqual([{ argv: ["launchctl", "bootout", "gui/501", plist] }]);
  });

  it("registers a Windows task from a UTF-16 XML file with schtasks", () => {
    const win: ServiceHost = {
      platform: "win32",
      homedir: "C:\\Users\\Ada",
      env: { APPDATA: "C:\\Users\\Ada\\AppData\\Roaming" },
      userId: "DESKTOP-1\\Ada",
    };
    const xml = "C:\\Users\\Ada\\AppData\\Roaming\\simplebackup\\simplebackup-task.xml";
    const plan = planInstall(win, posix);
    expect(plan.file).toMatchObject({ path: xml, encoding: "utf16le" });
    expect(plan.file.content).toContain("<UserId>DESKTOP-1\\Ada</UserId>");
    expect(plan.after.map((step) => step.argv)).toEqual([
      ["schtasks", "/Create", "/XML", xml, "/TN", "simplebackup", "/F"],
      ["schtasks", "/Run", "/TN", "simplebackup"],
    ]);
    expect(planUninstall(win).before.map((step) => step.argv)).toEqual([
      ["schtasks", "/End", "/TN", "simplebackup"],
      ["schtasks", "/Delete", "/TN", "simplebackup", "/F"],
    ]);
  });
});
