import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunLog, pruneRunLogs, runLogDir, safeJobName } from "../../src/state/run-log.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-logs-");
});
afterEach(() => dir.dispose());

describe("safeJobName", () => {
  it.each([
    ["Photos/2024", /^Photos_2024-[0-9a-f]{6}$/],
    ["con", /^_con-[0-9a-f]{6}$/],
    ["LPT1.backup", /^_LPT1\.backup-[0-9a-f]{6}$/],
    ["Ünïcode", /^_n_code-[0-9a-f]{6}$/],
    ["..", /^_\.-[0-9a-f]{6}$/],
    ["", /^job-[0-9a-f]{6}$/],
  ])("%j becomes a safe folder name", (job, expected) => {
    expect(safeJobName(job)).toMatch(expected);
  });

  it("keeps names apart that differ only by case or by replaced characters", () => {
    const names = ["Photos", "photos", "Photos/2024", "Photos:2024", "Photos_2024"].map(safeJobName);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });

  it("bounds very long names", () => {
    expect(safeJobName("x".repeat(500)).length).toBeLessThanOrEqual(71);
  });
});

describe("createRunLog", () => {
  it("writes timestamped lines in order and fsyncs them on close", async () => {
    let tick = 0;
    const clock = () => new Date(Date.UTC(2026, 10, 25, 10, 0, 0, tick++));
    const log = await createRunLog(
      dir.path,
      "Photos/2024",
      "0123456789abcdef",
      new Date("2026-11-25T10:00:00Z"),
      {
        clock,
      },
    );
    expect(basename(log.path)).toBe("2026-11-25T10-00-00-000Z-01234567.log");
    expect(dirname(log.path)).toBe(runLogDir(dir.path, "Photos/2024"));

    for (let i = 0; i < 100; i++) log.line(`line ${i}`);
    log.line("two\nlines\n");
    await log.close();

    const lines = readFileSync(log.path, "utf8").split("\n");
    expect(lines[0]).toBe("2026-11-25T10:00:00.000Z line 0");
    expect(lines[99]).toBe("2026-11-25T10:00:00.099Z line 99");
    expect(lines.slice(100)).toEqual(["2026-11-25T10:00:00.100Z two", "2026-11-25T10:00:00.100Z lines", ""]);
  });

  it("ignores lines after close and closes twice without harm", async () => {
    const log = await createRunLog(dir.path, "Photos", "run", new Date());
    log.line("kept");
    await log.close();
    expect(() => log.line("dropped")).not.toThrow();
    await log.close();
    expect(readFileSync(log.path, "utf8")).toMatch(/^\S+ kept\n$/);
  });

  it("puts jobs whose names differ only by case in different folders", async () => {
    const upper = await createRunLog(dir.path, "Photos", "run1", new Date());
    const lower = await createRunLog(dir.path, "photos", "run1", new Date());
    await Promise.all([upper.close(), lower.close()]);
    expect(dirname(upper.path).toLowerCase()).not.toBe(dirname(lower.path).toLowerCase());
  });
});

describe("pruneRunLogs", () => {
  it("removes the oldest logs beyond `keep`", async () => {
    const paths: string[] = [];
    // Created out of order: the names, not the creation order, say which is oldest.
    for (const day of [3, 1, 5, 2, 4]) {
      const log = await createRunLog(dir.path, "Photos", `run${day}`, new Date(Date.UTC(2026, 10, day)));
      await log.close();
      paths.push(log.path);
    }
    const logDir = runLogDir(dir.path, "Photos");
    writeFileSync(join(logDir, "notes.txt"), "not a log");

    expect(await pruneRunLogs(dir.path, "Photos", 2)).toBe(3);
    expect(readdirSync(logDir).sort()).toEqual([
      "2026-11-04T00-00-00-000Z-run4.log",
      "2026-11-05T00-00-00-000Z-run5.log",
      "notes.txt",
    ]);
    expect(await pruneRunLogs(dir.path, "Photos", 2)).toBe(0);
    expect(existsSync(paths[2] ?? "")).toBe(true);
  });

  it("removes nothing for a job without logs", async () => {
    expect(await pruneRunLogs(dir.path, "Nothing yet", 3)).toBe(0);
  });
});
