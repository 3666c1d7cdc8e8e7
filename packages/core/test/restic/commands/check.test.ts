import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  buildCheckArgs,
  nextCheckSubset,
  normalizeReadDataSubset,
  parseCheckOutput,
} from "../../../src/restic/commands/check.js";

// Captured from real restic 0.14.0 and 0.18.0 by ../../actions/check-fixtures/capture.sh (each folder's
// captured-with.txt names the binary). 0.14 ignores --json, so its `-json` captures are text too.
const folder = fileURLToPath(new URL("../../actions/check-fixtures/", import.meta.url));

function captured(version: string, name: string) {
  const read = (ext: string) => {
    const path = `${folder}${version}/${name}.${ext}`;
    if (!existsSync(path)) throw new Error(`no capture ${version}/${name}.${ext}; run capture.sh`);
    return readFileSync(path, "utf8");
  };
  return { stdout: read("stdout.txt"), stderr: read("stderr.txt"), exitCode: Number(read("rc").trim()) };
}

/** How simplebackup reads each version: 0.14's text, 0.18's --json, and 0.18's text as 0.15–0.17 print it. */
const READINGS = [
  { label: "0.14 text", version: "0.14.0", suffix: "", json: false },
  { label: "0.18 JSON", version: "0.18.0", suffix: "-json", json: true },
  { label: "0.18 text", version: "0.18.0", suffix: "", json: false },
] as const;

const parse = (reading: (typeof READINGS)[number], name: string) =>
  parseCheckOutput(captured(reading.version, `${name}${reading.suffix}`), { json: reading.json });

const numErrors = (name: string) =>
  (JSON.parse(captured("0.18.0", `${name}-json`).stdout) as { num_errors: number }).num_errors;

describe.each(READINGS)("parseCheckOutput, $label", (reading) => {
  it("passes a sound repository with nothing to note", () => {
    expect(parse(reading, "sound")).toEqual({ ok: true, errors: [], notes: [], read: undefined });
  });

  it("says what a subset check read (0.18's JSON does not)", () => {
    const report = parse(reading, "subset");
    expect(report).toMatchObject({ ok: true, errors: [], notes: [] });
    if (reading.json) expect(report?.read).toBeUndefined();
    else
      expect(report?.read).toMatch(
        /^read group #1 of \d+ data packs \(out of total \d+ packs in 2 groups\)$/,
      );
    expect(parse(reading, "percent")?.read).toBe(reading.json ? undefined : "read 50.0% of data packs");
  });

  it("gives nothing for a check that could not run (wrong password, live lock): the caller classifies it", () => {
    // 0.18's JSON prints a summary with num_errors 1 for these too: only the exit_error tells them apart.
    expect(parse(reading, "wrong-password")).toBeUndefined();
    expect(parse(reading, "locked")).toBeUndefined();
  });

  it("passes with an unreferenced pack, noting it as non-critical", () => {
    const report = parse(reading, "orphan");
    expect(report).toMatchObject({ ok: true, errors: [] });
    if (reading.json) {
      expect(report?.notes).toEqual([
        'non-critical: unreferenced or mixed packs; restic suggests "restic prune"',
      ]);
    } else {
      expect(report?.notes.at(-2)).toBe(
        "1 additional files were found in the repo, which likely contain duplicate data.",
      );
      expect(report?.notes.at(-1)).toBe("This is non-critical, you can run `restic prune` to correct this.");
    }
  });

  it("fails on a damaged data pack with one error, restic's advice as notes", () => {
    const report = parse(reading, "data-damaged");
    expect(report).toMatchObject({ ok: false, read: reading.json ? undefined : "read all data" });
    expect(report?.errors).toHaveLength(1);
    if (reading.version === "0.14.0") {
      expect(report?.errors[0]).toMatch(/^Pack ID does not match, want [0-9a-f]{64}, got [0-9a-f]{64}$/);
      expect(report?.notes).toEqual([]);
      return;
    }
    expect(numErrors("data-damaged")).toBe(1);
    const [, pack] = /^pack ([0-9a-f]{64}) contains 2 errors: \[blob /.exec(report?.errors[0] ?? "") ?? [];
    expect(pack).toBeDefined();
    expect(report?.notes).toContain(`restic repair packs ${pack}`);
    expect(report?.notes).toContain("restic repair snapshots --forget");
    expect(report?.notes.join("\n")).toMatch(/^The repository contains damaged pack files\./m);
  });

  it("fails on a damaged tree pack, each tree finding joined to its tree", () => {
    const report = parse(reading, "tree-damaged");
    expect(report?.ok).toBe(false);
    expect(report?.errors).toHaveLength(2);
    expect(report?.errors[0]).toMatch(
      /^error for tree [0-9a-f]{8}: decrypting blob .+ failed: ciphertext verification failed$/,
    );
    if (reading.version !== "0.14.0") expect(report?.errors).toHaveLength(numErrors("tree-damaged"));
  });

  it("fails on a missing pack", () => {
    const report = parse(reading, "pack-missing");
    expect(report?.ok).toBe(false);
    expect(report?.errors).toHaveLength(1);
    expect(report?.errors[0]).toMatch(/^pack [0-9a-f]{64}: does not exist$/);
    if (reading.version !== "0.14.0") {
      expect(report?.notes).toEqual([
        "The repository is damaged and must be repaired. Please follow the troubleshooting guide at https://restic.readthedocs.io/en/stable/077_troubleshooting.html .",
      ]);
    }
  });
});

describe("buildCheckArgs", () => {
  it("checks with a subset, all data, or only the structure; --json only when asked (0.18+)", () => {
    expect(buildCheckArgs()).toEqual(["check"]);
    expect(buildCheckArgs({ readData: true })).toEqual(["check", "--read-data"]);
    expect(buildCheckArgs({ readDataSubset: " 2/5 ", readData: true })).toEqual([
      "check",
      "--read-data-subset",
      "2/5",
    ]);
    expect(buildCheckArgs({ readData: true, json: true })).toEqual(["check", "--json", "--read-data"]);
  });
});

describe("normalizeReadDataSubset", () => {
  it.each([
    ["1/5", "1/5"],
    ["5/5", "5/5"],
    ["5%", "5%"],
    ["2.5%", "2.5%"],
    ["100%", "100%"],
    ["500M", "500M"],
    ["1g", "1g"],
  ])("accepts %s", (input, normalized) => {
    expect(normalizeReadDataSubset(input)).toBe(normalized);
  });

  it.each(["0/5", "6/5", "1/0", "0%", "150%", "-1%", "abc", "", "5 %", "1/2/3"])("rejects %j", (input) => {
    expect(() => normalizeReadDataSubset(input)).toThrow(RangeError);
  });
});

describe("nextCheckSubset", () => {
  it("rotates n/t so that t checks read every group once", () => {
    const seen: string[] = [];
    let subset: string | undefined;
    for (let i = 0; i < 5; i++) {
      subset = nextCheckSubset(subset, 4);
      seen.push(subset);
    }
    expect(seen).toEqual(["1/4", "2/4", "3/4", "4/4", "1/4"]);
  });

  it.each([
    [undefined, 3, "1/3"],
    ["2/3", 3, "3/3"],
    ["3/3", 3, "1/3"],
    ["2/5", 3, "1/3"], // the group count changed: start over
    ["5%", 3, "1/3"],
    ["9/3", 3, "1/3"],
    [undefined, 1, "1/1"],
    ["1/1", 1, "1/1"],
  ])("after %j with %i groups: %s", (previous, groups, next) => {
    expect(nextCheckSubset(previous, groups)).toBe(next);
  });

  it("needs a whole number of groups", () => {
    expect(() => nextCheckSubset(undefined, 0)).toThrow(RangeError);
    expect(() => nextCheckSubset(undefined, 2.5)).toThrow(RangeError);
  });
});
