import { describe, expect, it } from "vitest";
import {
  buildRestoreArgs,
  escapeRestorePattern,
  parseRestoreLine,
} from "../../../src/restic/commands/restore.js";
import { CAPTURES } from "../fixtures.js";

// Output captured from restic 0.14.0 and 0.18.0 (../fixtures/, read through CAPTURES) or, for single
// lines, from 0.14.0.
const LAB = "/tmp/simplebackup-restic-lab";

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

const ID = "44c3960adcc98715031061c25e99a91f20d6b2e4b429392e42ad66d9ca1468ff";

describe("buildRestoreArgs", () => {
  it("restores one snapshot by id into the target, with includes and verify", () => {
    expect(buildRestoreArgs(ID, "/tmp/out", { include: ["/home/a", "*.pdf"], verify: true })).toEqual([
      "restore",
      "--json",
      "--target",
      "/tmp/out",
      "--include",
      "/home/a",
      "--include",
      "*.pdf",
      "--verify",
      ID,
    ]);
    expect(buildRestoreArgs("44c3960a", "/t")).toEqual(["restore", "--json", "--target", "/t", "44c3960a"]);
  });

  it("takes only a hex id, never `latest` or a flag", () => {
    expect(() => buildRestoreArgs("latest", "/t")).toThrow(RangeError);
    expect(() => buildRestoreArgs("--help", "/t")).toThrow(RangeError);
  });
});

describe("escapeRestorePattern", () => {
  it.each([
    ["/home/me/plain.txt", "/home/me/plain.txt"],
    ["/home/me/we*ird [1].txt", "/home/me/we\\*ird \\[1].txt"],
    ["/home/me/what?.txt", "/home/me/what\\?.txt"],
    ["/home/me/back\\slash", "/home/me/back\\\\slash"],
  ])("%s → %s", (path, pattern) => {
    expect(escapeRestorePattern(path)).toBe(pattern);
  });
});

describe("parseRestoreLine", () => {
  it("reads 0.14's text: the file errors and everything else as text", () => {
    expect(
      parseRestoreLine("ignoring error for /tmp/lab/src/sub/b.bin: ciphertext verification failed"),
    ).toEqual({
      kind: "file-error",
      error: { path: "/tmp/lab/src/sub/b.bin", message: "ciphertext verification failed" },
    });
    expect(parseRestoreLine("verifying files in /tmp/lab/t4")).toEqual({
      kind: "text",
      text: "verifying files in /tmp/lab/t4",
    });
    expect(parseRestoreLine("")).toBeUndefined();
  });
});

describe.each(CAPTURES)("parseRestoreLine on restic $version captures", (capture) => {
  const json = capture.atLeast("0.17.0");

  it("reads restore --json: 0.16+ prints status and summary lines, 0.14 ignores --json", () => {
    const parsed = lines(capture.run("restore-progress-json").stdout).map(parseRestoreLine);
    if (!json) {
      expect(parsed).toEqual([
        { kind: "text", text: expect.stringMatching(/^restoring <Snapshot [0-9a-f]{8} of /) },
      ]);
      return;
    }
    // 30 MB at 20 MB/s: at least one status line before the summary; counts include folders.
    expect(parsed.length).toBeGreaterThanOrEqual(2);
    expect(
      parsed.slice(0, -1).every((line) => line?.kind === "progress" && line.status.kind === "status"),
    ).toBe(true);
    expect(parsed.at(-1)).toEqual({
      kind: "progress",
      status: {
        kind: "summary",
        percentDone: undefined,
        secondsElapsed: undefined,
        totalFiles: 4,
        filesRestored: 4,
        filesSkipped: undefined,
        totalBytes: 30_000_000,
        bytesRestored: 30_000_000,
        bytesSkipped: undefined,
      },
    });
  });

  it("reads every file a damaged pack kept from being restored, text or JSON", () => {
    for (const name of ["restore-damaged", "restore-damaged-json"]) {
      const run = capture.run(name);
      expect(run.exitCode, name).toBe(1);
      const parsed = lines(run.stderr).map(parseRestoreLine);
      const errors = parsed.flatMap((line) => (line?.kind === "file-error" ? [line.error] : []));
      // restic counts two errors per damaged file: the blob, then setting the missing file's metadata.
      const counted = Number(/There were (\d+) errors/.exec(run.stderr)?.[1]);
      expect(errors, name).toHaveLength(counted);
      for (const error of errors) expect(error.path.startsWith(`${LAB}/src/`), name).toBe(true);
      expect(errors[0]?.message, name).toMatch(/ciphertext verification failed$/);
      if (json && name.endsWith("-json")) {
        // The closing exit_error is neither progress nor a file error.
        expect(parsed.at(-1), name).toBeUndefined();
      } else {
        expect(parsed.at(-1), name).toEqual({ kind: "text", text: `Fatal: There were ${counted} errors` });
      }
    }
  });
});
