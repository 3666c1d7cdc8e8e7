import { describe, expect, it } from "vitest";
import type { RetentionPolicy } from "../../../src/config/types.js";
import {
  buildForgetArgs,
  hasRetentionRules,
  parseForgetOutput,
} from "../../../src/restic/commands/forget.js";
import { CAPTURES } from "../fixtures.js";

const LAB = "/tmp/simplebackup-restic-lab";

describe("buildForgetArgs", () => {
  const head = ["forget", "--json", "--tag", "simplebackup:docs", "--group-by", "host,tags"];

  it.each<[string, RetentionPolicy, string[]]>([
    ["last only", { last: 3 }, ["--keep-last", "3"]],
    ["days only", { days: 7 }, ["--keep-daily", "7"]],
    ["within only", { within: "2y5m" }, ["--keep-within", "2y5m"]],
    [
      "every rule, in restic's order whatever the key order",
      { within: "1y", years: 2, months: 6, weeks: 4, days: 7, hours: 24, last: 1 },
      [
        "--keep-last",
        "1",
        "--keep-hourly",
        "24",
        "--keep-daily",
        "7",
        "--keep-weekly",
        "4",
        "--keep-monthly",
        "6",
        "--keep-yearly",
        "2",
        "--keep-within",
        "1y",
      ],
    ],
    [
      "zeros are rules turned off",
      { last: 0, hours: 0, days: 7, weeks: 0, months: 12, years: 0 },
      ["--keep-daily", "7", "--keep-monthly", "12"],
    ],
    ["an all-zero duration is off", { weeks: 4, within: "0d0h" }, ["--keep-weekly", "4"]],
    ["a duration with a zero part stays", { within: "0y10d" }, ["--keep-within", "0y10d"]],
  ])("%s", (_, retention, keep) => {
    expect(buildForgetArgs(retention, "docs")).toEqual([...head, ...keep]);
  });

  it.each([
    [{ prune: true }, ["--prune"]],
    [{ dryRun: true }, ["--dry-run"]],
    [{ prune: true, dryRun: true }, ["--prune", "--dry-run"]],
    [{ prune: false, dryRun: false }, []],
    [{}, []],
  ])("adds %j after the keep flags", (options, tail) => {
    expect(buildForgetArgs({ days: 7 }, "docs", options)).toEqual([...head, "--keep-daily", "7", ...tail]);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses %d, which restic 0.14 could read as 'keep nothing'",
    (count) => {
      expect(() => buildForgetArgs({ last: count }, "docs")).toThrow(RangeError);
      expect(() => hasRetentionRules({ days: count })).toThrow(RangeError);
    },
  );
});

describe("hasRetentionRules", () => {
  it.each<[RetentionPolicy, boolean]>([
    [{}, false],
    [{ last: 0, days: 0 }, false],
    [{ within: "" }, false],
    [{ within: "0d" }, false],
    [{ last: 1 }, true],
    [{ years: 1 }, true],
    [{ within: "3h" }, true],
    [{ days: 0, within: "1d" }, true],
  ])("%j -> %s", (retention, expected) => {
    expect(hasRetentionRules(retention)).toBe(expected);
  });
});

describe.each(CAPTURES)("parseForgetOutput on restic $version captures", (capture) => {
  it("reads the first line of forget --prune --json and ignores prune's report", () => {
    const run = capture.run("forget-prune");
    expect(run.stdout).toContain("loading indexes...");
    const groups = parseForgetOutput(run.stdout);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toMatchObject({ tags: null, host: "vm", paths: [] });
    expect(group?.keep.map((s) => s.time)).toEqual([
      "2024-03-08T10:00:00Z",
      "2024-03-07T10:00:00Z",
      "2024-03-06T10:00:00Z",
      "2024-03-05T10:00:00Z",
    ]);
    expect(group?.remove.map((s) => s.time)).toEqual([
      "2024-03-04T10:00:00Z",
      "2024-03-03T10:00:00Z",
      "2024-03-02T10:00:00Z",
      "2024-03-01T10:00:00Z",
    ]);
    // One history although job A's sources and user tags changed; job B is not in the report at all.
    expect(group?.keep[0]).toMatchObject({
      paths: [`${LAB}/jobs/a1`, `${LAB}/jobs/a2`],
      tags: ["simplebackup:A", "offsite"],
    });
    const allTags = [...(group?.keep ?? []), ...(group?.remove ?? [])].flatMap((s) => s.tags ?? []);
    expect(allTags).not.toContain("simplebackup:B");
    for (const snapshot of [...(group?.keep ?? []), ...(group?.remove ?? [])]) {
      expect(snapshot.id).toMatch(/^[0-9a-f]{64}$/);
      expect(snapshot.id?.startsWith(snapshot.short_id ?? "-")).toBe(true);
    }
  });

  it("gives each reason the id of the kept snapshot it describes", () => {
    const stdout = capture.run("forget-dry-run").stdout;
    // 0.18 repeats the snapshot in its reason with id and short_id; 0.14 without them.
    const [raw] = JSON.parse(stdout) as { reasons: { snapshot: { id?: string } }[] }[];
    expect(raw?.reasons[0]?.snapshot.id !== undefined).toBe(capture.atLeast("0.17.0"));
    const [group] = parseForgetOutput(stdout);
    expect(group?.reasons).toHaveLength(4);
    expect(group?.reasons.map((r) => r.id)).toEqual(group?.keep.map((s) => s.id));
    expect(group?.reasons[0]?.matches).toEqual(["last snapshot", "daily snapshot"]);
    expect(group?.reasons[3]?.matches).toEqual(["daily snapshot"]);
  });

  it("reads forget without a policy: 0.14 prints nothing, 0.18 refuses (exit 1)", () => {
    const run = capture.run("forget-no-policy");
    expect(run.stdout).toBe("");
    expect(parseForgetOutput(run.stdout)).toEqual([]);
    if (capture.atLeast("0.17.0")) {
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("no policy was specified, no snapshots will be removed");
    } else {
      expect(run).toMatchObject({ exitCode: 0, stderr: "" });
    }
  });
});

describe("parseForgetOutput", () => {
  it("reads empty output as no groups", () => {
    expect(parseForgetOutput("")).toEqual([]);
    expect(parseForgetOutput("[]\n")).toEqual([]);
  });

  it("turns the nulls restic prints for empty lists into empty lists", () => {
    const line = JSON.stringify([
      {
        tags: ["simplebackup:A"],
        host: "vm",
        paths: ["/a"],
        keep: null,
        remove: [{ time: "2024-01-01T00:00:00Z", paths: ["/a"], id: "ab", short_id: "ab" }],
        reasons: null,
      },
    ]);
    expect(parseForgetOutput(line)).toEqual([
      {
        tags: ["simplebackup:A"],
        host: "vm",
        paths: ["/a"],
        keep: [],
        remove: [{ id: "ab", short_id: "ab", time: "2024-01-01T00:00:00Z", paths: ["/a"] }],
        reasons: [],
      },
    ]);
  });

  it.each(["loading indexes...", "{not json", '{"tags":null}', '[{"host":"vm","keep":[{"id":1}]}]'])(
    "throws a readable error for %j",
    (stdout) => {
      expect(() => parseForgetOutput(stdout)).toThrow(/restic forget --json printed/);
    },
  );
});
