import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { RESTIC } from "../support/restic.js";
import { tempDir, write } from "./cli.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/embed/index.mjs", import.meta.url));

const temp = tempDir();
afterAll(() => temp.dispose());

write(join(temp.path, "photos/cat.jpg"), randomBytes(4 * 1024 * 1024));
write(join(temp.path, "photos/notes.txt"), "meow");
const config = write(join(temp.path, "backup_config.json"), {
  backupjobs: [
    {
      jobname: "Photos",
      sources: ["./photos"],
      destination: "./repo",
      password: "embed-secret",
      backup_interval: "0 3 * * *",
    },
  ],
});
const stateDir = join(temp.path, "state");
// The first backup uploads 4 MiB at 2 MiB/s: restic 0.18 prints its first progress line only after
// 1/RESTIC_PROGRESS_FPS seconds (0.5 s here), and an unslowed backup of 4 MiB is over before that;
// 0.14 prints one at the start.
const slowRestic = write(
  join(temp.path, "slow-restic"),
  `#!/bin/sh\ncmd="$1"; shift\nexec ${RESTIC} "$cmd" --limit-upload 2048 "$@"\n`,
);
chmodSync(slowRestic, 0o755);

/** Runs the example as its README says: `node examples/embed/index.mjs ...`. */
function runExample(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [EXAMPLE, ...args], {
    cwd: temp.path,
    env: { ...process.env, SIMPLEBACKUP_CONFIG: undefined, SIMPLEBACKUP_STATE_DIR: undefined, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("examples/embed", () => {
  it("backs up one job now with real restic, printing progress, the summary and a notification", () => {
    const result = runExample(["--config", config, "--state-dir", stateDir], { RESTIC_BINARY: slowRestic });
    expect(result.stderr).toContain("[notify:console] Photos success");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`running Photos now (state: ${stateDir})`);
    expect(lines).toContain(`start    Photos: ${join(temp.path, "photos")} -> ${join(temp.path, "repo")}`);
    expect(lines).toContain(`init     Photos: created the repository ${join(temp.path, "repo")}`);
    expect(result.stdout).toMatch(/^progress Photos: \d+% \(\d+\/\d+ files, .+ of .+\)$/m);
    expect(result.stdout).toMatch(
      /^success {2}Photos: snapshot [0-9a-f]{8}, 2 new, 0 changed, 0 unchanged files, \d+\.\d \w+ added in \d+\.\d s$/m,
    );
    expect(result.stdout).not.toContain("embed-secret");
  });

  it("takes the config and state folder from the environment too", () => {
    const result = runExample([], { SIMPLEBACKUP_CONFIG: config, SIMPLEBACKUP_STATE_DIR: stateDir });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^success {2}Photos: snapshot [0-9a-f]{8}, 0 new, 0 changed, 2 unchanged files/m,
    );
    expect(result.stdout).not.toContain("init ");
  });

  it("reports a failure through the events and the notifier, with exit code 1", () => {
    const wrong = write(join(temp.path, "wrong-password.json"), {
      backupjobs: [
        {
          jobname: "Photos",
          sources: ["./photos"],
          destination: "./repo",
          password: "not-the-password",
          backup_interval: "0 3 * * *",
        },
      ],
    });
    const result = runExample(["--config", wrong, "--state-dir", stateDir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^failure {2}Photos: \[WRONG_PASSWORD\] /m);
    expect(result.stderr).toMatch(/^\[notify:console\] Photos failed: \[WRONG_PASSWORD\] /m);
  });

  it("exits 2 with a usage line without a config, and for a job that does not exist", () => {
    expect(runExample([]).status).toBe(2);
    const missing = runExample(["--config", config, "--state-dir", stateDir, "--job", "Nope"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error [JOB_NOT_FOUND]: no job named "Nope"');
  });
});
