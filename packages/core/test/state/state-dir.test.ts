import { describe, expect, it } from "vitest";
import { resolveStateDir } from "../../src/state/state-dir.js";

describe("resolveStateDir", () => {
  it.each<[string, NodeJS.Platform, NodeJS.ProcessEnv, string, string]>([
    ["linux default", "linux", {}, "/home/me", "/home/me/.local/state/simplebackup"],
    ["XDG_STATE_HOME", "linux", { XDG_STATE_HOME: "/xdg/state" }, "/home/me", "/xdg/state/simplebackup"],
    [
      "a relative XDG_STATE_HOME is ignored",
      "linux",
      { XDG_STATE_HOME: "rel/state" },
      "/home/me",
      "/home/me/.local/state/simplebackup",
    ],
    ["other Unix", "freebsd", {}, "/home/me", "/home/me/.local/state/simplebackup"],
    [
      "macOS ignores XDG",
      "darwin",
      { XDG_STATE_HOME: "/xdg/state" },
      "/Users/me",
      "/Users/me/Library/Application Support/simplebackup",
    ],
    [
      "Windows LOCALAPPDATA",
      "win32",
      { LOCALAPPDATA: "D:\\Local" },
      "C:\\Users\\me",
      "D:\\Local\\simplebackup",
    ],
    ["Windows fallback", "win32", {}, "C:\\Users\\me", "C:\\Users\\me\\AppData\\Local\\simplebackup"],
    [
      "SIMPLEBACKUP_STATE_DIR beats the platform",
      "linux",
      { SIMPLEBACKUP_STATE_DIR: "/srv/sb", XDG_STATE_HOME: "/xdg/state" },
      "/home/me",
      "/srv/sb",
    ],
    [
      "an empty SIMPLEBACKUP_STATE_DIR is unset",
      "linux",
      { SIMPLEBACKUP_STATE_DIR: "" },
      "/home/me",
      "/home/me/.local/state/simplebackup",
    ],
  ])("%s", (_name, platform, env, homedir, expected) => {
    expect(resolveStateDir({ env, platform, homedir })).toBe(expected);
  });

  it("prefers state_dir from the config over the environment", () => {
    expect(
      resolveStateDir({
        configured: "/etc/sb/state",
        env: { SIMPLEBACKUP_STATE_DIR: "/srv/sb" },
        platform: "linux",
        homedir: "/home/me",
      }),
    ).toBe("/etc/sb/state");
  });

  it("resolves a relative SIMPLEBACKUP_STATE_DIR against cwd with the platform's rules", () => {
    const env = { SIMPLEBACKUP_STATE_DIR: "state" };
    expect(resolveStateDir({ env, platform: "linux", homedir: "/home/me", cwd: "/work" })).toBe(
      "/work/state",
    );
    expect(resolveStateDir({ env, platform: "win32", homedir: "C:\\Users\\me", cwd: "C:\\work" })).toBe(
      "C:\\work\\state",
    );
  });
});
