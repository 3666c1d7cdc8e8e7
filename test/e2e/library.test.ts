import { join } from "node:path";
import { type BackupEvent, BackupScheduler, createManualClock, resolveConfig } from "simplebackup";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir, write } from "./cli.js";

const temp = tempDir();
afterAll(() => temp.dispose());

describe('import { BackupScheduler } from "simplebackup"', () => {
  it("embeds the scheduler in a Node app: real restic, events, status", async () => {
    write(join(temp.path, "photos/cat.jpg"), "meow");
    const config = resolveConfig(
      {
        backupjobs: [
          {
            jobname: "Photos",
            sources: ["./photos"],
            destination: "./repo",
            password: "library-secret",
            backup_interval: "0 3 * * *",
          },
        ],
      },
      { baseDir: temp.path },
    );
    const scheduler = new BackupScheduler({
      config,
      stateDir: join(temp.path, "state"),
      clock: createManualClock(Date.parse("2026-06-01T10:00:00Z")),
    });
    const seen: BackupEvent["type"][] = [];
    scheduler.on("start", (event) => seen.push(event.type));
    scheduler.on("repository-initialized", (event) => seen.push(event.type));
    scheduler.on("success", (event) => seen.push(event.type));

    await scheduler.start();
    const result = await scheduler.runNow("Photos");
    await scheduler.stop();

    expect(result?.status).toBe("success");
    expect(result?.stats?.filesNew).toBe(1);
    expect(seen).toEqual(["start", "repository-initialized", "success"]);
    expect(scheduler.status()[0]).toMatchObject({
      job: "Photos",
      nextRunAt: new Date("2026-06-02T03:00:00"),
      lastSuccess: { status: "success", snapshotId: result?.snapshotId },
    });
  });
});
