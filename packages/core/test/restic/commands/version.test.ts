import { describe, expect, it } from "vitest";
import { buildVersionArgs, parseResticVersion } from "../../../src/restic/commands/version.js";
import { CAPTURED_VERSIONS, CAPTURES, versionFolders } from "../fixtures.js";

describe("the captured restic versions", () => {
  it("lists every version folder capture.sh wrote", () => {
    expect(versionFolders()).toEqual([...CAPTURED_VERSIONS]);
  });

  it.each(CAPTURES)("records restic $version in its folder's captured-with.txt", (capture) => {
    expect(parseResticVersion(capture.file("captured-with.txt"))?.version).toBe(capture.version);
  });
});

describe.each(CAPTURES)("parseResticVersion on restic $version captures", (capture) => {
  const newer = capture.atLeast("0.17.0");

  it("reads version --json: a JSON object from 0.17 on, 0.14 ignores --json", () => {
    const stdout = capture.run("version-json").stdout;
    expect(stdout.startsWith("{")).toBe(newer);
    expect(parseResticVersion(stdout)?.version).toBe(capture.version);
    expect(parseResticVersion(capture.run("version").stdout)?.version).toBe(capture.version);
  });
});

describe("parseResticVersion", () => {
  it.each([
    ["restic 0.16.0-dev (compiled manually) compiled with go1.20.3 on linux/amd64\n", "0.16.0-dev", 0, 16, 0],
    ["restic 0.17.3 compiled with go1.23.3 on darwin/arm64", "0.17.3", 0, 17, 3],
    ['{"message_type":"version","version":"1.2.3","go_version":"go1.25"}', "1.2.3", 1, 2, 3],
  ])("reads %j", (stdout, version, major, minor, patch) => {
    expect(parseResticVersion(stdout)).toEqual({ version, major, minor, patch });
  });

  it.each(["", "command not found", "restic", "restic vX", '{"message_type":"version"}'])(
    "returns undefined for %j",
    (stdout) => {
      expect(parseResticVersion(stdout)).toBeUndefined();
    },
  );
});

describe("buildVersionArgs", () => {
  it("asks `restic version`", () => {
    expect(buildVersionArgs()).toEqual(["version"]);
  });
});
