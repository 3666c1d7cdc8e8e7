import { describe, expect, it } from "vitest";
import { locateConfigFile, platformConfigDir } from "../../src/config/locate.js";
import { ConfigError } from "../../src/errors.js";

describe("platformConfigDir", () => {
  it.each<[NodeJS.Platform, NodeJS.ProcessEnv, string, string]>([
    ["linux", {}, "/home/me", "/home/me/.config/simplebackup"],
    ["linux", { XDG_CONFIG_HOME: "/xdg" }, "/home/me", "/xdg/simplebackup"],
    ["linux", { XDG_CONFIG_HOME: "relative/xdg" }, "/home/me", "/home/me/.config/simplebackup"],
    ["freebsd", {}, "/home/me", "/home/me/.config/simplebackup"],
    [
      "darwin",
      { XDG_CONFIG_HOME: "/xdg" },
      "/Users/me",
      "/Users/me/Library/Application Support/simplebackup",
    ],
    [
      "win32",
      { APPDATA: "C:\\Users\\me\\AppData\\Roaming" },
      "C:\\Users\\me",
      "C:\\Users\\me\\AppData\\Roaming\\simplebackup",
    ],
    ["win32", {}, "C:\\Users\\me", "C:\\Users\\me\\AppData\\Roaming\\simplebackup"],
  ])("on %s with %j and home %s is %s", (platform, env, homedir, expected) => {
    expect(platformConfigDir(platform, env, homedir)).toBe(expected);
  });
});

describe("locateConfigFile", () => {
  const base = { cwd: "/work", platform: "linux" as const, homedir: "/home/me" };
  const existing =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);
  const everywhere = existing(
    "/work/custom.json",
    "/etc/sb.json",
    "/work/backup_config.json",
    "/home/me/.config/simplebackup/backup_config.json",
  );

  it("takes --config first, relative to the current folder", () => {
    const env = { SIMPLEBACKUP_CONFIG: "/etc/sb.json" };
    expect(locateConfigFile({ ...base, env, explicit: "custom.json", exists: everywhere })).toEqual({
      path: "/work/custom.json",
      origin: "flag",
    });
  });

  it("takes SIMPLEBACKUP_CONFIG next", () => {
    const env = { SIMPLEBACKUP_CONFIG: "/etc/sb.json" };
    expect(locateConfigFile({ ...base, env, exists: everywhere })).toEqual({
      path: "/etc/sb.json",
      origin: "env",
    });
  });

  it("ignores an empty SIMPLEBACKUP_CONFIG", () => {
    const env = { SIMPLEBACKUP_CONFIG: "" };
    expect(locateConfigFile({ ...base, env, exists: everywhere }).origin).toBe("cwd");
  });

  it("takes backup_config.json in the current folder next", () => {
    expect(locateConfigFile({ ...base, env: {}, exists: everywhere })).toEqual({
      path: "/work/backup_config.json",
      origin: "cwd",
    });
  });

  it("takes the platform config folder last", () => {
    const exists = existing("/home/me/.config/simplebackup/backup_config.json");
    expect(locateConfigFile({ ...base, env: {}, exists })).toEqual({
      path: "/home/me/.config/simplebackup/backup_config.json",
      origin: "platform",
    });
  });

  it("uses Windows paths on Windows", () => {
    const exists = existing("C:\\Users\\me\\AppData\\Roaming\\simplebackup\\backup_config.json");
    const options = { cwd: "C:\\work", platform: "win32" as const, homedir: "C:\\Users\\me", exists };
    expect(locateConfigFile({ ...options, env: { APPDATA: "C:\\Users\\me\\AppData\\Roaming" } })).toEqual({
      path: "C:\\Users\\me\\AppData\\Roaming\\simplebackup\\backup_config.json",
      origin: "platform",
    });
  });

  it.each([
    [
      { explicit: "missing.json" },
      {},
      "/work/missing.json",
      "no such file (given with --config); check the path",
    ],
    [
      {},
      { SIMPLEBACKUP_CONFIG: "/etc/missing.json" },
      "/etc/missing.json",
      "no such file (named by the SIMPLEBACKUP_CONFIG environment variable); check the path",
    ],
  ])("fails when a named file is missing, without looking further: %j %j", (flag, env, file, message) => {
    const attempt = () =>
      locateConfigFile({ ...base, ...flag, env, exists: existing("/work/backup_config.json") });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      expect.objectContaining({ code: "CONFIG_NOT_FOUND", file, problems: [{ path: "", message }] }),
    );
  });

  it("lists every place it looked when no file is found", () => {
    const attempt = () => locateConfigFile({ ...base, env: {}, exists: () => false });
    expect(attempt).toThrow(
      expect.objectContaining({
        code: "CONFIG_NOT_FOUND",
        file: undefined,
        message:
          "no config file found. Looked in:\n" +
          "  /work/backup_config.json (current folder)\n" +
          "  /home/me/.config/simplebackup/backup_config.json (user config folder)\n" +
          "Pass --config FILE, set SIMPLEBACKUP_CONFIG, or run from the folder holding backup_config.json.",
      }),
    );
  });
});
