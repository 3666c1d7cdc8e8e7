import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClean, filesUnder, findRestic, locks, slowResticScript, waitFor } from "../faults/helpers.js";
import { resticAtLeast } from "../support/restic.js";
import { simplebackup, simplebackupAsync, tempDir, write } from "./cli.js";
import { DaemonProcess } from "./daemon-process.js";
import { RcloneResticServer } from "./servers/rclone-restic-server.js";

const PASSWORD = "remote-secret-0e4b";
const temp = tempDir();
const root = temp.path;
const server = new RcloneResticServer(join(root, "server-data"));
const daemons: DaemonProcess[] = [];
const clis: ReturnType<typeof simplebackupAsync>[] = [];
/** Uploads at 4 MiB/s, so the server can be stopped while a backup of 40 MiB is under way. */
const slowRestic = join(root, "slow-restic.sh");

beforeAll(async () => {
  write(join(root, "data/notes.txt"), "remote notes");
  write(join(root, "data/more/table.csv"), "1,2,3");
  for (let i = 0; i < 5; i++) write(join(root, `big/part-${i}.bin`), randomBytes(8 * 1024 * 1024));
  write(slowRestic, slowResticScript(4096));
  chmodSync(slowRestic, 0o755);
  await server.start();
});

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop("SIGKILL");
  for (const cli of clis) if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
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
    // restic 0.17+ retries a server that is down for up to 15 minutes; simplebackup stops it after
    // backend_unreachable_after (45 s by default, 3 s here), and the retry policy takes over.
    const file = config("flaky", "flaky", {
      retry: { attempts: 6, delays: ["2s"] },
      backend_unreachable_after: "3s",
    });
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

/** The first run log in `state` (one job's) that holds `pattern`. */
function runLogWith(state: string, pattern: RegExp): string | undefined {
  const logs = filesUnder(join(state, "logs")).filter((file) => file.endsWith(".log"));
  return logs.map((file) => readFileSync(file, "utf8")).find((text) => pattern.test(text));
}

/** Starts a slow backup of `big/` and stops the server once restic has stored a data pack. */
async function backupUntilServerStops(file: string, repoPath: string, state: string) {
  const cli = simplebackupAsync(["backup", "--config", file], {
    SIMPLEBACKUP_STATE_DIR: state,
    RESTIC_BINARY: slowRestic,
  });
  clis.push(cli);
  await waitFor(
    () => {
      if (cli.child.exitCode !== null) throw new Error(`the backup ended first:\n${cli.output().stdout}`);
      return filesUnder(join(root, "server-data", repoPath, "data")).length > 0;
    },
    "restic to store a data pack on the server",
    60_000,
    25,
  );
  await server.stop();
  return { cli, stoppedAt: Date.now() };
}

/**
 * With the server back, the next backup succeeds, and no lock is left: the one the stopped restic could
 * not remove has no process any more, so the run's retention (forget, which needs an exclusive lock)
 * found it stale and removed it. The repository checks clean.
 */
async function nextRunOnceServerIsBack(file: string, repoPath: string, state: string) {
  await server.start();
  const next = simplebackup(["backup", "--config", file], { env: { SIMPLEBACKUP_STATE_DIR: state } });
  expect(next.status, next.stdout + next.stderr).toBe(0);
  expect(locks(server.url(repoPath), PASSWORD)).toEqual([]);
  checkClean(server.url(repoPath), PASSWORD);
}

/**
 * restic 0.17+ retries a server that is down for up to 15 minutes, and 0.14 does so once a backup is
 * under way. simplebackup stops restic after backend_unreachable_after (short here, to keep the tests
 * quick) and fails the run as BACKEND_UNAVAILABLE, and a signal ends the command within 10 s.
 */
describe("a REST server that is down, or goes down during a backup", () => {
  it("down at the start: the run fails as BACKEND_UNAVAILABLE within a minute, naming the cause, no secret", () => {
    const state = join(root, "state-down");
    // Port 1: nothing listens there, as on a server that is down.
    const destination = `rest:http://${server.user}:${server.pass}@127.0.0.1:1/down`;
    const file = config("down", "down", { destination, backend_unreachable_after: "3s" });
    const started = Date.now();
    const result = simplebackup(["backup", "--config", file], { env: { SIMPLEBACKUP_STATE_DIR: state } });
    const output = result.stdout + result.stderr;

    expect(result.status, output).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result.stdout).toMatch(
      /^down: FAILED during backup \[BACKEND_UNAVAILABLE\]: Cannot reach the repository backend: .*http:\/\/backup:\*\*\*@127\.0\.0\.1:1\/down\/config.*connection refused/m,
    );
    expect(output).not.toContain(server.pass);
    if (resticAtLeast("0.17.0")) {
      // 0.17+ retried; simplebackup stopped it after backend_unreachable_after.
      expect(result.stdout).toMatch(/restic retried Stat\(<config\/>\) for [\d.]+s without success/);
      expect(runLogWith(state, /restic unlock skipped: the repository cannot be reached/)).toBeDefined();
    } else {
      // 0.14 does not retry opening a repository: it fails at once.
      expect(result.stdout).not.toContain("restic retried");
    }
  });

  it("stopped during a backup: the run fails as BACKEND_UNAVAILABLE; with the server back the next run succeeds and leaves no lock", async () => {
    const state = join(root, "state-midway");
    const file = config("midway", "midway", { sources: ["./big"], backend_unreachable_after: "5s" });
    const { cli, stoppedAt } = await backupUntilServerStops(file, "midway", state);
    const result = await cli.done;
    const output = result.stdout + result.stderr;

    expect(result.status, output).toBe(1);
    // 5 s of retries, then at most 5 s for restic to stop (it retries removing its lock meanwhile).
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    expect(result.stdout).toMatch(
      /midway: FAILED during backup \[BACKEND_UNAVAILABLE\]: Cannot reach the repository backend: restic retried \w+\(<.+>\) for [\d.]+s without success \(last error: .*connection refused\)/,
    );
    expect(output).not.toContain(server.pass);
    expect(findRestic("backup", root)).toEqual([]);
    expect(runLogWith(state, /restic unlock skipped: the repository cannot be reached/)).toBeDefined();

    await nextRunOnceServerIsBack(file, "midway", state);
  }, 120_000);

  it("SIGTERM while restic retries a server that is down: exits 130 within 10 s and says the unlock was skipped", async () => {
    const state = join(root, "state-signalled");
    // The default backend_unreachable_after (45 s): the signal comes first.
    const file = config("signalled", "signalled", { sources: ["./big"] });
    const { cli } = await backupUntilServerStops(file, "signalled", state);
    await waitFor(
      () => runLogWith(state, /returned error, retrying after/),
      "restic to retry the stopped server",
      30_000,
      50,
    );
    const signalledAt = Date.now();
    cli.child.kill("SIGTERM");
    const result = await cli.done;
    const output = result.stdout + result.stderr;

    expect(result.status, output).toBe(130);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(result.stdout).toContain("signalled: FAILED during backup [INTERRUPTED]");
    expect(result.stdout).toContain("restic unlock skipped");
    expect(findRestic("backup", root)).toEqual([]);

    await nextRunOnceServerIsBack(file, "signalled", state);
  }, 120_000);
});
