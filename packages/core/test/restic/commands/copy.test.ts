import { describe, expect, it } from "vitest";
import { classifyFailure } from "../../../src/restic/classify.js";
import { buildCopyArgs, parseCopyOutput } from "../../../src/restic/commands/copy.js";
import { buildInitArgs } from "../../../src/restic/commands/init.js";
import { parseSnapshots } from "../../../src/restic/commands/snapshots.js";
import { CAPTURES } from "../fixtures.js";

const SHORT_ID = expect.stringMatching(/^[0-9a-f]{8}$/);

describe("buildCopyArgs", () => {
  it("copies the job's snapshots only, by its tag", () => {
    expect(buildCopyArgs("docs")).toEqual(["copy", "--tag", "simplebackup:docs"]);
  });

  it("refuses a job name restic would split into two tags", () => {
    expect(() => buildCopyArgs("a,b")).toThrow(RangeError);
  });
});

describe("buildInitArgs for a copy target", () => {
  it("takes the chunker parameters of the repository RESTIC_FROM_REPOSITORY names", () => {
    expect(buildInitArgs({ copyChunkerParams: true })).toEqual(["init", "--copy-chunker-params"]);
  });
});

describe.each(CAPTURES)("restic copy on restic $version captures", (capture) => {
  it("reads the snapshots a copy added, newest first, with their ids in both repositories", () => {
    const run = capture.run("copy-some");
    expect(run.exitCode).toBe(0);
    const report = parseCopyOutput(run.stdout);
    expect(report.copied).toEqual([
      { source: SHORT_ID, target: SHORT_ID },
      { source: SHORT_ID, target: SHORT_ID },
    ]);
    expect(report.alreadyCopied).toEqual([]);
    // The ids match the target's listing: each copy keeps the id of its source as `original`.
    const listed = parseSnapshots(capture.run("copy-snapshots").stdout);
    for (const { source, target } of report.copied) {
      const copy = listed.find((snapshot) => snapshot.short_id === target);
      expect(copy?.original?.startsWith(source)).toBe(true);
    }
  });

  it("reads a copy with nothing left to copy: 0.14 names each snapshot it skips, 0.18 says nothing", () => {
    const run = capture.run("copy-nothing");
    expect(run.exitCode).toBe(0);
    const report = parseCopyOutput(run.stdout);
    expect(report.copied).toEqual([]);
    if (capture.atLeast("0.17.0")) expect(run.stdout).toBe("");
    else
      expect(report.alreadyCopied).toEqual([
        { source: SHORT_ID, target: SHORT_ID },
        { source: SHORT_ID, target: SHORT_ID },
      ]);
  });

  it("reads `copy --json` as the text it is on both versions", () => {
    const run = capture.run("copy-json");
    expect(run.stdout).not.toMatch(/^\{/m);
    expect(parseCopyOutput(run.stdout).copied).toEqual([{ source: SHORT_ID, target: SHORT_ID }]);
  });

  it("lists the copies in the target with the id of the snapshot each came from", () => {
    const listed = parseSnapshots(capture.run("copy-snapshots").stdout);
    expect(listed).toHaveLength(3);
    for (const snapshot of listed) {
      expect(snapshot.original).toMatch(/^[0-9a-f]{64}$/);
      expect(snapshot.tags).toEqual(["simplebackup:docs"]);
    }
  });

  it("creates a target with the source's chunker parameters (0.18 says so, 0.14 does not)", () => {
    const run = capture.run("copy-init");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /^created restic repository [0-9a-f]{10} at \/tmp\/simplebackup-restic-lab\/copy-target/,
    );
    if (capture.atLeast("0.17.0")) expect(run.stdout).toContain("with chunker parameters copied");
  });

  it("reads the source's password from RESTIC_FROM_PASSWORD_FILE and RESTIC_FROM_PASSWORD_COMMAND", () => {
    for (const name of ["copy-from-password-file", "copy-from-password-command"]) {
      const run = capture.run(name);
      expect(run.exitCode, name).toBe(0);
      expect(parseCopyOutput(run.stdout).copied, name).toEqual([]);
    }
  });

  // restic's words are the same for the source and the target: which one failed is not in the text
  // (runCopy asks the job's repository alone to tell them apart).
  it.each([
    ["copy-wrong-target-password", "WRONG_PASSWORD"],
    ["copy-wrong-source-password", "WRONG_PASSWORD"],
    ["copy-init-wrong-source-password", "WRONG_PASSWORD"],
    ["copy-target-missing", "REPO_NOT_FOUND"],
    ["copy-target-unreachable", undefined],
    ["copy-from-password-command-failed", "RESTIC_FAILED"],
  ])("classifies %s", (name, expected) => {
    const run = capture.run(name);
    expect(run.exitCode).not.toBe(0);
    expect(parseCopyOutput(run.stdout).copied).toEqual([]);
    const failure = classifyFailure({ exitCode: run.exitCode, stderr: run.stderr });
    if (expected) expect(failure.code).toBe(expected);
    else if (run.stoppedByCapture) {
      // 0.18 retries the server for minutes (runCopy's watchdog stops it); SIGINT ended the capture.
      expect(run.stderr).toMatch(/Stat\(<config\/>\) returned error, retrying after/);
      expect(failure.code).toBe("INTERRUPTED");
    } else expect(failure.code).toBe("BACKEND_UNAVAILABLE");
    // A target URL's credentials never reach the output: restic masks them itself.
    expect(run.stderr).not.toContain("rest-secret");
  });

  it("names the missing target's location", () => {
    const failure = classifyFailure(capture.run("copy-target-missing"));
    expect(failure.message).toBe("No restic repository at /tmp/simplebackup-restic-lab/copy-nonexistent");
  });
});

describe("parseCopyOutput", () => {
  it("passes over lines of other shapes and a saved line without its snapshot", () => {
    expect(parseCopyOutput("")).toEqual({ copied: [], alreadyCopied: [] });
    expect(parseCopyOutput("snapshot 1234abcd saved\n[0:00] 100.00%  2 / 2 packs copied\n")).toEqual({
      copied: [],
      alreadyCopied: [],
    });
  });
});
