import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type JobState, JobStateStore, readStateFile } from "../../src/state/job-state.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-state-");
});
afterEach(() => dir.dispose());

const now = () => new Date("2026-11-25T10:00:00.000Z");
const known: JobState = { knownSince: "2026-11-01T00:00:00.000Z" };

describe("JobStateStore", () => {
  it("starts empty without a file and persists what is updated", async () => {
    const { store, warnings } = await JobStateStore.open(dir.path, { now });
    expect(warnings).toEqual([]);
    expect(store.all()).toEqual({});

    const success = {
      runId: "r1",
      startedAt: "2026-11-25T09:00:00.000Z",
      finishedAt: "2026-11-25T09:05:00.000Z",
      status: "success" as const,
      snapshotId: "abc123",
    };
    await store.update("Photos", (current) => ({
      ...(current ?? known),
      lastAttempt: success,
      lastSuccess: success,
    }));
    await store.setDaemon({
      pid: 42,
      startedAt: "2026-11-25T08:00:00.000Z",
      configFile: "/x/backup_config.json",
    });

    const reopened = await JobStateStore.open(dir.path);
    expect(reopened.store.get("Photos")).toEqual({ ...known, lastAttempt: success, lastSuccess: success });
    expect(reopened.store.get("toString")).toBeUndefined();
    expect(await readStateFile(dir.path)).toEqual({
      version: 1,
      updatedAt: "2026-11-25T10:00:00.000Z",
      daemon: { pid: 42, startedAt: "2026-11-25T08:00:00.000Z", configFile: "/x/backup_config.json" },
      jobs: { Photos: { ...known, lastAttempt: success, lastSuccess: success } },
    });
  });

  it("patches fields of a job, keeping the rest, and knows a new job since the patch", async () => {
    const { store } = await JobStateStore.open(dir.path);
    await store.patch("new", now(), { nextRun: "2026-11-26T02:00:00.000Z" });
    expect(store.get("new")).toEqual({
      knownSince: "2026-11-25T10:00:00.000Z",
      nextRun: "2026-11-26T02:00:00.000Z",
    });
    await store.update("old", () => ({ ...known, lastCheckSubset: "1/4" }));
    await store.patch("old", now(), (current) => ({ lastCheckSubset: `${current?.lastCheckSubset}+` }));
    expect(store.get("old")).toEqual({ ...known, lastCheckSubset: "1/4+" });
  });

  it("removes a job and clears the daemon", async () => {
    const { store } = await JobStateStore.open(dir.path);
    await store.update("a", () => known);
    await store.update("b", () => known);
    await store.setDaemon({ pid: 1, startedAt: "2026-11-25T08:00:00.000Z" });
    await store.remove("a");
    await store.setDaemon(undefined);
    const file = await readStateFile(dir.path);
    expect(Object.keys(file?.jobs ?? {})).toEqual(["b"]);
    expect(file?.daemon).toBeUndefined();
  });

  it("keeps every one of 50 concurrent updates to different jobs", async () => {
    const { store } = await JobStateStore.open(dir.path);
    const names = Array.from({ length: 50 }, (_, i) => `job-${i}`);
    await Promise.all(names.map((name) => store.update(name, () => ({ ...known, nextRun: name }))));
    const file = await readStateFile(dir.path);
    expect(Object.keys(file?.jobs ?? {}).sort()).toEqual([...names].sort());
  });

  it("applies concurrent updates to one job on top of each other", async () => {
    const { store } = await JobStateStore.open(dir.path);
    await store.update("counter", () => ({ ...known, nextRun: "0" }));
    const increment = () =>
      store.update("counter", (current) => ({ ...known, nextRun: String(Number(current?.nextRun) + 1) }));
    await Promise.all(Array.from({ length: 20 }, increment));
    expect((await readStateFile(dir.path))?.jobs.counter?.nextRun).toBe("20");
  });

  it("sets a corrupt file aside with a warning and starts empty", async () => {
    const file = join(dir.path, "state.json");
    writeFileSync(file, '{"version":1,"jobs":{"Pho');
    const { store, warnings } = await JobStateStore.open(dir.path, { now });

    expect(store.all()).toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("is not valid JSON");
    const copy = "state.json.corrupt-2026-11-25T10-00-00-000Z";
    expect(warnings[0]).toContain(copy);
    expect(readFileSync(join(dir.path, copy), "utf8")).toBe('{"version":1,"jobs":{"Pho');

    await store.update("Photos", () => known);
    expect((await readStateFile(dir.path))?.jobs.Photos).toEqual(known);
  });

  it("treats a file of the wrong shape as corrupt", async () => {
    writeFileSync(join(dir.path, "state.json"), JSON.stringify({ version: 2, jobs: {} }));
    const { warnings } = await JobStateStore.open(dir.path, { now });
    expect(warnings[0]).toContain("is not a version 1 simplebackup state file");
  });

  it("reads nothing from a corrupt file for status without throwing", async () => {
    writeFileSync(join(dir.path, "state.json"), "not json");
    expect(await readStateFile(dir.path)).toBeUndefined();
    expect(await readStateFile(join(dir.path, "missing"))).toBeUndefined();
  });

  it("ignores a temp file a crash left behind, and cleans it up", async () => {
    const { store } = await JobStateStore.open(dir.path);
    await store.update("Photos", () => known);
    // A PID far above any real one stands for the writer that crashed.
    const leftover = join(dir.path, "state.json.999999999.tmp");
    writeFileSync(leftover, '{"version":1,"jobs":{"Half');

    const reopened = await JobStateStore.open(dir.path);
    expect(reopened.warnings).toEqual([]);
    expect(reopened.store.get("Photos")).toEqual(known);
    expect(readdirSync(dir.path)).toEqual(["state.json"]);
  });

  it("leaves no temp file after writing", async () => {
    const { store } = await JobStateStore.open(dir.path);
    await Promise.all([store.update("a", () => known), store.update("b", () => known)]);
    expect(readdirSync(dir.path)).toEqual(["state.json"]);
  });

  it("rejects an update whose change throws and keeps the state as it was", async () => {
    const { store } = await JobStateStore.open(dir.path);
    await expect(
      store.update("a", () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(store.get("a")).toBeUndefined();
  });
});
