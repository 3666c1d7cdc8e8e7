import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runForget } from "../../src/actions/forget.js";
import { listSnapshots } from "../../src/actions/list-snapshots.js";
import { runRetention } from "../../src/backup/retention-stage.js";
import type { DatabaseSpec } from "../../src/config/types.js";
import { buildDatabaseBackupArgs, parseDatabaseTags } from "../../src/databases/database-series.js";
import { buildBackupArgs } from "../../src/restic/commands/backup.js";
import { createJobRestic } from "../../src/restic/job-restic.js";
import { createRestic } from "../../src/restic/restic.js";
import { makeJob } from "../helpers/job.js";
import { RESTIC, resticJson, type SnapshotJson } from "../helpers/restic.js";
import { createTempDir, writeTree } from "../helpers/tree.js";

/**
 * Retention keeps the files and each database as series of their own (issue 16): a daily rule keeps a
 * file snapshot AND a dump of every database for each day it keeps, never one at the expense of the
 * other. The snapshots are made as a run makes them (files first, then each database, same tags), a
 * few a day over several days with `--time`, so each day's newest snapshot is a dump: grouped by host
 * alone, a daily rule would keep only dumps of the last database and remove every file snapshot.
 */
const PASSWORD = "database-retention-secret-5e1d";
const temp = createTempDir("sb-database-retention-");
const source = join(temp.path, "src");
const repository = join(temp.path, "repo");
const database = (type: DatabaseSpec["type"], name: string): DatabaseSpec => ({
  type,
  name,
  password: undefined,
  options: [],
});
const databases = [database("postgresql", "app"), database("mariadb", "shop")];
const job = makeJob({
  name: "nightly",
  sources: [source],
  databases,
  repository,
  password: { kind: "literal", value: PASSWORD },
  tags: ["nas"],
  retention: { days: 3 },
});
const restic = createRestic(RESTIC);
const env = { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD };

/** restic itself, `--time` before the sources (after `--` it would be read as one). */
function resticAt(args: readonly string[], time: string, input?: string): void {
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  const argv = [...args.slice(0, end), "--time", time, ...args.slice(end)];
  const result = spawnSync(RESTIC, argv, { env, input, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`restic ${argv.join(" ")} failed: ${result.stderr}`);
}

/** One run at `day` and `hour`: the files, then each database's dump seconds later, as runs do. */
function makeRun(day: string, hour: string, dumped: readonly DatabaseSpec[]): void {
  resticAt(buildBackupArgs(job), `${day} ${hour}:00:00`);
  dumped.forEach((spec, i) => {
    const args = [...buildDatabaseBackupArgs(job, spec), "--stdin"];
    resticAt(args, `${day} ${hour}:00:${10 * (i + 1)}`, `-- dump of ${spec.name} at ${day} ${hour}\n`);
  });
}

/** Which series a snapshot belongs to: `files`, or the database's `type:name`. */
function seriesOf(snapshot: { tags?: readonly string[] | undefined }): string {
  const db = parseDatabaseTags(snapshot.tags);
  return db ? `${db.type}:${db.name}` : "files";
}

/** series -> the local days (as restic writes the time) of its snapshots in the repository, sorted. */
function daysBySeries(): Record<string, string[]> {
  const snapshots = resticJson<SnapshotJson[]>(repository, PASSWORD, [
    "snapshots",
    "--tag",
    "simplebackup:nightly",
  ]);
  const days: Record<string, string[]> = {};
  for (const snapshot of snapshots) {
    const series = seriesOf(snapshot);
    days[series] = [...(days[series] ?? []), snapshot.time.slice(0, 10)];
  }
  for (const list of Object.values(days)) list.sort();
  return days;
}

const DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"];

beforeAll(() => {
  writeTree(source, { "letter.txt": "dear reader" });
  const init = spawnSync(RESTIC, ["init"], { env, encoding: "utf8" });
  expect(init.status, init.stderr).toBe(0);
  for (const day of DAYS) for (const hour of ["09", "17"]) makeRun(day, hour, databases);
}, 120_000);
afterAll(() => temp.dispose());

describe("retention of a job with databases, with real restic", () => {
  it("grouped by host alone, a daily rule would keep only the last database's dumps (why the series are apart)", () => {
    const args = ["forget", "--json", "--dry-run", "--no-lock", "--tag", "simplebackup:nightly"];
    const stdout = spawnSync(RESTIC, [...args, "--group-by", "host", "--keep-daily", "3"], {
      env,
      encoding: "utf8",
    }).stdout;
    const groups = JSON.parse(stdout.split("\n")[0] ?? "[]") as { keep: SnapshotJson[] }[];
    expect(new Set(groups.flatMap((group) => group.keep.map(seriesOf)))).toEqual(new Set(["mariadb:shop"]));
  });

  it("a dry run keeps each day's newest file snapshot and each database's, and is not fooled by the dumps", async () => {
    const result = await runForget(job, { restic, dryRun: true });
    // The newest snapshot of the job is a dump, which holds no source: the guard looks at the files.
    expect(result.unsafe).toBeUndefined();
    const kept = result.keep.map((snapshot) => `${snapshot.time.slice(0, 10)} ${snapshot.paths.join(",")}`);
    const expected = DAYS.slice(1).flatMap((day) => [
      `${day} ${source}`,
      `${day} /nightly-postgresql-app.sql`,
      `${day} /nightly-mariadb-shop.sql`,
    ]);
    expect(kept.sort()).toEqual(expected.sort());
    expect(result.remove).toHaveLength(DAYS.length * 2 * 3 - expected.length);
  });

  it("a real forget keeps, for every day it keeps, a file snapshot and a dump of each database", async () => {
    await runForget(job, { restic });
    const kept = DAYS.slice(1);
    expect(daysBySeries()).toEqual({ files: kept, "postgresql:app": kept, "mariadb:shop": kept });

    // The one kept of each day is that day's last run (17:00), in every series.
    const listed = await listSnapshots(job, { restic });
    expect(listed.every((snapshot) => snapshot.time.slice(11, 13) === "17")).toBe(true);
    // The listing names each dump's database, and no database for the files.
    expect(listed.map((snapshot) => snapshot.database ?? null)).toEqual(
      kept.flatMap(() => [{ type: "mariadb", name: "shop" }, { type: "postgresql", name: "app" }, null]),
    );
  });

  it("a job that no longer lists its databases keeps their old dumps as series of their own", async () => {
    // The job dropped its databases; their dumps stay in the repository. The runs' retention must not
    // let those dumps take the place of the day's file snapshots.
    const filesOnly = { ...job, databases: [] };
    for (const hour of ["09", "17"]) makeRun("2026-03-05", hour, []);
    const outcome = await runRetention(filesOnly, createJobRestic(filesOnly, { restic }));
    expect(outcome.status).toBe("done");
    const before = DAYS.slice(1);
    expect(daysBySeries()).toEqual({
      files: ["2026-03-03", "2026-03-04", "2026-03-05"],
      "postgresql:app": before,
      "mariadb:shop": before,
    });
  });
});
