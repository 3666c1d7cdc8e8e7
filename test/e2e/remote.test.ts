import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, tempDir, write } from "./cli.js";
import { DaemonProcess } from "./daemon-process.js";
import { RcloneResticServer } from "./servers/rclone-restic-server.js";

const PASSWORD = "remote-secret-0e4b";
const temp = tempDir();
const root = temp.path;
const server = new RcloneResticServer(join(root, "server-data"));
const daemons: DaemonProcess[] = [];

beforeAll(async () => {
  write(join(root, "data/notes.txt"), "remote notes");
  write(join(root, "data/more/table.csv"), "1,2,3");
  await server.start();
});

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop("SIGKILL");
  await server.stop();
  temp.dispose();
});

function config(name: string, repoPath: string, extra: object = {}) {
  return write(join(root, `${name}.json`), {
    backupjobs: [
      {
        jobname: name,
        sources: ["./data"],
        destination: server.url(repoPath),
        password: PASSWORD,
        backup_interval: "0 3 * * *",
        retention: { last: 2 },
        ...extra,
      },
    ],
  });
}

describe("a repository behind restic's REST protocol (rclone serve restic on 127.0.0.1)", () => {
  it("creates the repository over the network, backs up, applies retention and lists snapshots", () => {
    const file = config("remote", "remote");
    const first = simplebackup(["backup", "--config", file]);
    expect(first.stdout).toContain("remote: created a new repository");
    expect(first.status).toBe(0);
    for (let i = 0; i < 2; i++) expect(simplebackup(["backup", "--config", file]).status).toBe(0);
    const listed = simplebackup(["snapshots", "remote", "--json", "--config", file]);
    const snapshots = JSON.parse(listed.stdout);
    expect(snapshots).toHaveLength(2);
    expect(snapshots[0].paths).toEqual([join(root, "data")]);
    // The URL's credentials are masked wherever simplebackup prints the repository.
    expect(first.stdout).not.toContain(server.pass);
    expect(first.stdout).toContain(`http://${server.user}:***@127.0.0.1:${server.port}/remote`);
  });

  it("fails as a transient error while the server is down, retries with backoff, and succeeds once it is back", async () => {
    const file = config("flaky", "flaky", { retry: { attempts: 6, delays: ["2s"] } });
    await server.stop();
    const daemon = new DaemonProcess(["--config", file, "--backup-on-start"], {
      SIMPLEBACKUP_STATE_DIR: join(root, "state-flaky"),
    });
    daemons.push(daemon);
    await daemon.waitForLine(/\[flaky\] FAILED during backup \[BACKEND_UNAVAILABLE\]/);
    await daemon.waitForLine(/\[flaky\] will retry at .* \(attempt 2 of 6\) after BACKEND_UNAVAILABLE/);
    // No repository was created by the failed attempt: a network error never leads to init.
    expect(daemon.lines.join("\n")).not.toContain("created repository");
    await server.start();
    await daemon.waitForLine(/\[flaky\] success: snapshot/, 30_000);
    expect(daemon.count(/\[flaky\] backup started/)).toBeGreaterThanOrEqual(2);
    expect((await daemon.stop()).code).toBe(0);
    expect(daemon.lines.join("\n")).not.toContain(server.pass);
  });
});
