import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../src/scheduler/clock.js";
import { ConfigWatcher, diffJobs } from "../../src/scheduler/config-watcher.js";
import { makeJob } from "../helpers/job.js";

describe("diffJobs", () => {
  it("names added, removed and changed jobs; an identical job is not changed", () => {
    const current = new Map([
      ["docs", makeJob({ name: "docs" })],
      ["photos", makeJob({ name: "photos" })],
      ["music", makeJob({ name: "music" })],
    ]);
    const next = [
      makeJob({ name: "docs" }),
      makeJob({ name: "photos", schedule: "0 3 * * *" }),
      makeJob({ name: "mail" }),
    ];
    const diff = diffJobs(current, next);
    expect(diff.added.map((job) => job.name)).toEqual(["mail"]);
    expect(diff.removed).toEqual(["music"]);
    expect(diff.changed.map((job) => job.name)).toEqual(["photos"]);
  });

  it("compares nested settings, whatever their key order", () => {
    const before = makeJob({ retention: { days: 7, weeks: 4 } });
    const reordered = makeJob({ retention: { weeks: 4, days: 7 } });
    const changed = makeJob({ retention: { days: 8, weeks: 4 } });
    expect(diffJobs(new Map([["docs", before]]), [reordered]).changed).toEqual([]);
    expect(diffJobs(new Map([["docs", before]]), [changed]).changed).toEqual([changed]);
  });
});

describe("ConfigWatcher", () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it("tells whether the file changed since it was read, a missing file included", async () => {
    const folder = await mkdtemp(join(tmpdir(), "sb-config-watcher-"));
    folders.push(folder);
    const path = join(folder, "config.json");
    const config = (schedule: string) =>
      JSON.stringify({
        backupjobs: [
          {
            jobname: "docs",
            sources: [folder],
            destination: join(folder, "repo"),
            password: "pw",
            backup_interval: schedule,
          },
        ],
      });
    await writeFile(path, config("0 2 * * *"));
    const watcher = new ConfigWatcher(path, createManualClock(0));
    expect((await watcher.read()).jobs.map((job) => job.schedule)).toEqual(["0 2 * * *"]);
    expect(await watcher.changed()).toBe(false);
    await writeFile(path, config("0 3 * * *  "));
    expect(await watcher.changed()).toBe(true);
    await watcher.read();
    expect(await watcher.changed()).toBe(false);
    await rm(path);
    expect(await watcher.changed()).toBe(true);
  });

  it("stamps a broken file, so it is reported once and not again before every run", async () => {
    const folder = await mkdtemp(join(tmpdir(), "sb-config-watcher-"));
    folders.push(folder);
    const path = join(folder, "config.json");
    await writeFile(path, "{ not json");
    const watcher = new ConfigWatcher(path, createManualClock(0));
    await expect(watcher.read()).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    expect(await watcher.changed()).toBe(false);
  });
});
