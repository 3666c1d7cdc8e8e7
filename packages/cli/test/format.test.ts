import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type BackupStats, shortId } from "@simplebackup/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatEventLine } from "../src/render/event-line.js";
import { formatBackupSize, formatTable } from "../src/render/format.js";
import { createHumanReporter } from "../src/render/human-reporter.js";
import { printJsonLine, toUtcTime } from "../src/render/json.js";

/** 168 B of files in a first backup that wrote 3.3 KiB: restic counts the directory trees too. */
const stats: BackupStats = {
  filesNew: 2,
  filesChanged: 1,
  filesUnmodified: 0,
  dirsNew: 1,
  dirsChanged: 0,
  dirsUnmodified: 0,
  dataAdded: 3380,
  totalFilesProcessed: 3,
  totalBytesProcessed: 168,
  resticSeconds: 0.4,
};

/** Runs each test of the block in `zone`, as the TZ environment variable sets it for a user. */
function useTimeZone(zone: string): void {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TZ;
    process.env.TZ = zone;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}

describe("shortId", () => {
  it("prints 8 hex characters whether restic gave 8 (0.14) or 64 (0.15+)", () => {
    const full = "07e0d60b6c1f3e0a9d1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071";
    expect(shortId(full)).toBe("07e0d60b");
    expect(shortId("07e0d60b")).toBe("07e0d60b");
    expect(shortId(undefined)).toBe("(none)");
  });
});

describe("formatBackupSize", () => {
  it("names each number: the snapshot's size and files, then what the repository gained", () => {
    expect(formatBackupSize(stats)).toBe(
      "168 B in 3 files (2 new, 1 changed); 3.30 KiB added to the repository",
    );
  });

  it("leaves out kinds of file that did not occur, and says 1 file", () => {
    expect(
      formatBackupSize({
        ...stats,
        filesNew: 0,
        filesChanged: 0,
        filesUnmodified: 1,
        totalFilesProcessed: 1,
      }),
    ).toBe("168 B in 1 file (1 unmodified); 3.30 KiB added to the repository");
    expect(
      formatBackupSize({
        ...stats,
        filesNew: 0,
        filesChanged: 0,
        totalFilesProcessed: 0,
        totalBytesProcessed: 0,
      }),
    ).toBe("0 B in 0 files; 3.30 KiB added to the repository");
  });
});

describe("formatTable", () => {
  it("puts a heading over every column and aligns them, with no trailing spaces", () => {
    const lines = formatTable(
      [{ heading: "TIME" }, { heading: "ID" }, { heading: "SIZE", align: "right" }, { heading: "PATHS" }],
      [
        ["2026-11-25 12:51:25 +01:00", "07e0d60b", "1.20 MiB", "/home/me/docs"],
        ["2026-11-24 12:51:25 +01:00", "002347a7", "-", ""],
      ],
    );
    expect(lines).toEqual([
      "  TIME                        ID            SIZE  PATHS",
      "  2026-11-25 12:51:25 +01:00  07e0d60b  1.20 MiB  /home/me/docs",
      "  2026-11-24 12:51:25 +01:00  002347a7         -",
    ]);
  });
});

describe("toUtcTime (JSON output)", () => {
  it("turns restic's local times into UTC, keeping the nanoseconds", () => {
    expect(toUtcTime("2026-11-30T20:36:41.409046627+05:30")).toBe("2026-11-30T15:06:41.409046627Z");
    expect(toUtcTime("2026-11-30T10:06:41-05:00")).toBe("2026-11-30T15:06:41Z");
    expect(toUtcTime("2026-11-30T15:06:41.5Z")).toBe("2026-11-30T15:06:41.5Z");
  });

  it("leaves anything else alone", () => {
    expect(toUtcTime("/data/2026-11-30T20:36:41+05:30")).toBe("/data/2026-11-30T20:36:41+05:30");
    expect(toUtcTime("latest")).toBe("latest");
  });
});

describe("backup lines for people", () => {
  const at = new Date("2026-11-25T11:51:25Z");
  const success = {
    type: "success",
    job: "Docs",
    runId: "r1",
    at,
    snapshotId: "07e0d60b6c1f3e0a9d1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071",
    stats,
    durationMs: 1200,
  } as const;
  useTimeZone("Asia/Kolkata");

  it("the one-shot backup says what each size is, with an 8-character id from a 64-character one", () => {
    let text = "";
    const report = createHumanReporter({ write: (chunk: string) => (text += chunk) });
    // In core's order: the outcome comes after retention, and is printed before it.
    report({ type: "retention-done", job: "Docs", runId: "r1", at, kept: 1, removed: 0, removedIds: [] });
    report(success);
    expect(text).toBe(
      [
        "Docs: done, snapshot 07e0d60b, took 1.2s",
        "  168 B in 3 files (2 new, 1 changed); 3.30 KiB added to the repository",
        "Docs: retention kept 1 snapshot, removed 0",
        "",
      ].join("\n"),
    );
  });

  it("a retention reported after the outcome is printed at once", () => {
    let text = "";
    const report = createHumanReporter({ write: (chunk: string) => (text += chunk) });
    report(success);
    report({ type: "retention-done", job: "Docs", runId: "r1", at, kept: 2, removed: 1, removedIds: ["x"] });
    expect(text).toMatch(/\nDocs: retention kept 2 snapshots, removed 1\n$/);
  });

  it("a run restic made no snapshot for (skip_if_unchanged) says so, in the backup's lines and the daemon's", () => {
    const unchanged = { ...success, snapshotId: undefined, unchanged: true } as const;
    let text = "";
    createHumanReporter({ write: (chunk: string) => (text += chunk) })(unchanged);
    expect(text.split("\n")[0]).toBe("Docs: done, no changes, no new snapshot, took 1.2s");
    expect(formatEventLine(unchanged)).toMatch(
      /\[Docs\] success: no changes, no new snapshot in 1\.2s; 168 B/,
    );
    expect(
      formatEventLine({
        type: "recovered",
        job: "Docs",
        runId: "r1",
        at,
        staleSinceAt: at,
        snapshotId: undefined,
      }),
    ).toBe(
      "2026-11-25 17:21:25 +05:30 [Docs] recovered: a backup succeeded after being stale since 2026-11-25 17:21:25 +05:30",
    );
  });

  it("the daemon's log line starts with local time and its offset", () => {
    expect(formatEventLine(success)).toBe(
      "2026-11-25 17:21:25 +05:30 [Docs] success: snapshot 07e0d60b in 1.2s; 168 B in 3 files (2 new, 1 changed); 3.30 KiB added to the repository",
    );
    expect(
      formatEventLine({
        type: "scheduled",
        job: "Docs",
        runId: "r2",
        at,
        nextRunAt: new Date("2026-11-25T20:30:00Z"),
        reason: "schedule",
      }),
    ).toBe("2026-11-25 17:21:25 +05:30 [Docs] next run at 2026-11-26 02:00:00 +05:30");
    expect(
      formatEventLine({
        type: "retention-done",
        job: "Docs",
        runId: "r1",
        at,
        kept: 1,
        removed: 2,
        removedIds: [],
      }),
    ).toBe("2026-11-25 17:21:25 +05:30 [Docs] retention: kept 1 snapshot, removed 2");
  });
});

describe("the daemon's lines for copies and runs that wait for their conditions", () => {
  const at = new Date("2026-11-25T11:51:25Z");
  const context = { job: "Photos", runId: "r1", at };
  const repository = "rest:https://backup:***@nas.example:8000/photos";
  useTimeZone("Asia/Kolkata");

  it("a copy names its target, how many snapshots it copied, the newest there, and the target's retention", () => {
    const done = {
      type: "copy-done",
      ...context,
      target: "offsite",
      repository,
      copied: 3,
      snapshotId: "b2f1a9c07d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
      initialized: false,
      retention: { kept: 14, removed: 1 },
      durationMs: 62_000,
    } as const;
    expect(formatEventLine(done)).toBe(
      "2026-11-25 17:21:25 +05:30 [Photos] copied 3 snapshots to offsite (b2f1a9c0 newest) in 1m 2s; retention there: kept 14, removed 1",
    );
    expect(formatEventLine({ ...done, copied: 0, initialized: true, retention: undefined })).toBe(
      `2026-11-25 17:21:25 +05:30 [Photos] copy to offsite: up to date (b2f1a9c0 newest); created ${repository}`,
    );
  });

  it("a failed copy gives its code, core's message and when it is tried again", () => {
    const failed = {
      type: "copy-failed",
      ...context,
      target: "offsite",
      repository,
      code: "BACKEND_UNAVAILABLE",
      message: `Cannot reach ${repository}: dial tcp: connection refused`,
      durationMs: 4_000,
      nextAttemptAt: new Date("2026-11-25T12:06:25Z"),
    } as const;
    expect(formatEventLine(failed)).toBe(
      `2026-11-25 17:21:25 +05:30 [Photos] copy to offsite failed: [BACKEND_UNAVAILABLE] Cannot reach ${repository}: dial tcp: connection refused; next try at 2026-11-25 17:36:25 +05:30`,
    );
    expect(formatEventLine({ ...failed, nextAttemptAt: undefined })).toMatch(/; no retry planned$/);
  });

  it("a lagging copy stands out like a stale job, with since when", () => {
    expect(
      formatEventLine({
        type: "copy-lagging",
        ...context,
        runId: "",
        target: "offsite",
        behindSnapshots: 3,
        behindSince: new Date("2026-11-23T08:51:25Z"),
        alertAfterMs: 2 * 86_400_000,
        message: "the copy to offsite lacks 3 snapshots, the oldest from 2d 3h ago",
      }),
    ).toBe(
      "2026-11-25 17:21:25 +05:30 [Photos] copy to offsite LAGGING since 2026-11-23 14:21:25 +05:30: the copy to offsite lacks 3 snapshots, the oldest from 2d 3h ago",
    );
  });

  it("a run that waits for its conditions says what is missing and that it runs once they hold", () => {
    expect(
      formatEventLine({
        type: "skipped",
        ...context,
        job: "laptop",
        reason: "conditions",
        condition: "on_ac_power",
        message: "on battery; the backup runs once the job's conditions hold",
      }),
    ).toBe(
      "2026-11-25 17:21:25 +05:30 [laptop] skipped: on battery; the backup runs once the job's conditions hold",
    );
  });

  it("--json prints the copies' times as UTC ISO strings, and leaves out a time that is not set", () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      printJsonLine({
        type: "copy-lagging",
        ...context,
        target: "offsite",
        behindSnapshots: 3,
        behindSince: new Date("2026-11-23T08:51:25Z"),
        alertAfterMs: 1000,
        message: "m",
      });
      printJsonLine({ type: "copy-failed", ...context, target: "offsite", nextAttemptAt: undefined });
    } finally {
      spy.mockRestore();
    }
    const [lagging, failed] = written.map((line) => JSON.parse(line));
    expect(lagging).toMatchObject({
      at: "2026-11-25T11:51:25.000Z",
      behindSince: "2026-11-23T08:51:25.000Z",
    });
    expect(failed).not.toHaveProperty("nextAttemptAt");
    expect(written.every((line) => line.endsWith("}\n") && !line.slice(0, -1).includes("\n"))).toBe(true);
  });
});

describe("formatTable's optional columns", () => {
  const columns = [{ heading: "RESULT" }, { heading: "FILE" }, { heading: "NOTE", optional: true }];

  it("leaves out an optional column no row fills", () => {
    expect(formatTable(columns, [["matched", "/a"]])).toEqual(["  RESULT   FILE", "  matched  /a"]);
  });

  it("shows it when one row does", () => {
    expect(
      formatTable(columns, [
        ["matched", "/a", ""],
        ["skipped", "/b", "changed since"],
      ]),
    ).toEqual(["  RESULT   FILE  NOTE", "  matched  /a", "  skipped  /b    changed since"]);
  });
});

describe("the CLI formats times, ids, counts and JSON in one place", () => {
  const src = fileURLToPath(new URL("../src/", import.meta.url));
  const own = new Set(["render/format.ts", "render/json.ts"]);
  const files = readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !own.has(file.split(sep).join("/")))
    .map((file) => [file, readFileSync(join(src, file), "utf8")] as const);
  const handMade: [string, RegExp][] = [
    ["a UTC time in text (use formatLocalTime)", /\.toISOString\(\)/],
    ["a time without its offset (use formatLocalTime)", /\.toLocale(String|DateString|TimeString)\(/],
    ["an id cut by hand (use shortId)", /\.slice\(0, ?8\)/],
    ["an id printed as restic gave it (use shortId)", /\$\{[\w.?]*\b(short_id|shortId|snapshotId)\}/],
    [
      "JSON printed by hand (use printJson, which keeps stdout JSON-only and times UTC)",
      /(console\.log|stdout\.write)\([^;]*JSON\.stringify/,
    ],
    ['"(s)" (use plural)', /\w\(s\)/],
    ["a duration in seconds by hand (use formatHumanDuration)", /\/ 1_?000\b/],
  ];

  it("reads the CLI's sources", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(handMade)("no file prints %s", (_what, pattern) => {
    expect(files.filter(([, text]) => pattern.test(text)).map(([file]) => file)).toEqual([]);
  });
});
