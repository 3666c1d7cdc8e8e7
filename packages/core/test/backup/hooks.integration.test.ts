import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup } from "../../src/backup/run-backup.js";
import type { BackupJob, JobHooks } from "../../src/config/types.js";
import type { BackupEvent } from "../../src/events.js";
import { createRestic } from "../../src/restic/restic.js";
import { makeJob } from "../helpers/job.js";
import { RESTIC, resticJson, type SnapshotJson } from "../helpers/restic.js";
import { createTempDir, writeTree } from "../helpers/tree.js";

const PASSWORD = "hook-secret-2b7d";
const temp = createTempDir("sb-hooks-");
const root = temp.path;
const repository = join(root, "repo");
const restic = createRestic(RESTIC);

function job(hooks: Partial<JobHooks>): BackupJob {
  return makeJob({
    name: "hooked",
    sources: [join(root, "data")],
    repository,
    password: { kind: "literal", value: PASSWORD },
    env: { AWS_SECRET_ACCESS_KEY: "aws-hook-secret" },
    hooks: {
      before: undefined,
      after: undefined,
      onSuccess: undefined,
      onFailure: undefined,
      timeoutMs: 10_000,
      ...hooks,
    },
  });
}

async function run(backupJob: BackupJob) {
  const events: BackupEvent[] = [];
  const log: string[] = [];
  const result = await runBackup(backupJob, {
    restic,
    emit: (event) => events.push(event),
    log: (line) => log.push(line),
    env: { ...process.env, RESTIC_PASSWORD: "inherited-secret" },
  });
  return { result, events, log };
}

const snapshots = () => resticJson<SnapshotJson[]>(repository, PASSWORD, ["snapshots"]);

beforeAll(() => writeTree(root, { "data/file.txt": "data" }));
afterAll(() => temp.dispose());

describe("hooks around a real backup", () => {
  it("gives hooks the run's facts in their environment, and never the password or backend secrets", async () => {
    const dump = (name: string) => `env > ${join(root, `${name}.env`)}`;
    const { result, log } = await run(
      job({ before: dump("before"), onSuccess: dump("success"), after: dump("after") }),
    );
    expect(result.status).toBe("success");
    const before = readFileSync(join(root, "before.env"), "utf8");
    const after = readFileSync(join(root, "after.env"), "utf8");
    expect(before).toContain("SIMPLEBACKUP_JOB=hooked");
    expect(before).toContain("SIMPLEBACKUP_HOOK=before");
    expect(before).not.toContain("SIMPLEBACKUP_STATUS");
    expect(after).toContain("SIMPLEBACKUP_STATUS=success");
    expect(after).toContain(`SIMPLEBACKUP_SNAPSHOT_ID=${result.snapshotId}`);
    expect(after).toContain("SIMPLEBACKUP_FILES_NEW=1");
    expect(readFileSync(join(root, "success.env"), "utf8")).toContain("SIMPLEBACKUP_HOOK=on_success");
    for (const text of [before, after]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain("inherited-secret");
      expect(text).not.toContain("aws-hook-secret");
    }
    expect(log).toContain("hook before: exit 0");
  });

  it("skips the run quietly when the before hook exits 75", async () => {
    const count = snapshots().length;
    const { result, events } = await run(
      job({ before: "exit 75", after: `touch ${join(root, "after-skip")}` }),
    );
    expect(result.status).toBe("skipped");
    expect(events.map((e) => e.type)).toEqual(["skipped"]);
    expect(snapshots()).toHaveLength(count);
  });

  it("fails the run when the before hook fails, and runs on_failure and after", async () => {
    const count = snapshots().length;
    const { result, events, log } = await run(
      job({
        before: "echo dump failed >&2; exit 3",
        onFailure: `echo $SIMPLEBACKUP_ERROR_CODE > ${join(root, "failure.txt")}`,
      }),
    );
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("HOOK_FAILED");
    expect(events.at(-1)).toMatchObject({ type: "failure", phase: "hook", code: "HOOK_FAILED" });
    expect(log).toContain("hook before: dump failed");
    expect(readFileSync(join(root, "failure.txt"), "utf8").trim()).toBe("HOOK_FAILED");
    expect(snapshots()).toHaveLength(count);
  });

  it("stops a hook at its timeout and fails the run", async () => {
    const { result } = await run(job({ before: "sleep 5", timeoutMs: 300 }));
    expect(result.error?.code).toBe("HOOK_FAILED");
    expect(result.error?.message).toContain("timed out after 300 ms");
  });
});
