import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimplebackupError } from "../../src/errors.js";
import { formatLocalTime } from "../../src/format/local-time.js";
import { acquireDaemonLock, readDaemonLock } from "../../src/state/daemon-lock.js";
import { processStart } from "../../src/state/lock-file.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-lock-");
});
afterEach(() => dir.dispose());

const lockFile = () => join(dir.path, "daemon.pid");

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  await once(child, "exit");
  if (child.pid === undefined) throw new Error("node did not start");
  return child.pid;
}

/** A live process that is not this one, holding the lock as another daemon would. */
async function otherLiveDaemon(): Promise<{ pid: number; stop(): void }> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  await once(child, "spawn");
  return { pid: child.pid ?? 0, stop: () => child.kill() };
}

describe("daemon lock", () => {
  it("records who holds it and refuses a second daemon, naming the first", async () => {
    const lock = await acquireDaemonLock(dir.path, { configFile: "/x/backup_config.json" });
    expect(JSON.parse(readFileSync(lockFile(), "utf8"))).toMatchObject({
      pid: process.pid,
      configFile: "/x/backup_config.json",
      hostname: hostname(),
    });

    const record = JSON.parse(readFileSync(lockFile(), "utf8"));
    await lock.release();
    const other = await otherLiveDaemon();
    try {
      // The other process's own start time, as it would have written it (ours would mark a reused PID).
      const start = processStart(other.pid);
      writeFileSync(lockFile(), JSON.stringify({ ...record, pid: other.pid, processStart: start }));
      const second = acquireDaemonLock(dir.path, {});
      await expect(second).rejects.toBeInstanceOf(SimplebackupError);
      await expect(second).rejects.toMatchObject({
        code: "STATE_LOCKED",
        message: expect.stringContaining(
          `another simplebackup daemon (PID ${other.pid}, started ${formatLocalTime(record.startedAt)}, config /x/backup_config.json) is already running with state folder ${dir.path}; stop it first`,
        ),
      });
      expect(await readDaemonLock(dir.path)).toMatchObject({ pid: other.pid, alive: true });
    } finally {
      other.stop();
    }
  });

  it("refuses a second holder in the same process, which the PID in the file cannot tell apart", async () => {
    const lock = await acquireDaemonLock(dir.path, {});
    await expect(acquireDaemonLock(dir.path, {})).rejects.toMatchObject({
      code: "STATE_LOCKED",
      message: expect.stringContaining(`another scheduler in this process (PID ${process.pid})`),
    });
    await lock.release();
    const again = await acquireDaemonLock(dir.path, {});
    await again.release();
  });

  it("takes over a lock whose process is gone", async () => {
    const pid = await deadPid();
    writeFileSync(
      lockFile(),
      JSON.stringify({ pid, startedAt: "2026-11-25T10:00:00Z", hostname: hostname() }),
    );
    expect(await readDaemonLock(dir.path)).toMatchObject({ pid, alive: false });

    const lock = await acquireDaemonLock(dir.path, {});
    expect(await readDaemonLock(dir.path)).toMatchObject({ pid: process.pid, alive: true });
    await lock.release();
  });

  it.runIf(process.platform === "linux")(
    "takes over a lock whose PID now belongs to another process (after a reboot)",
    async () => {
      const other = await otherLiveDaemon();
      try {
        writeFileSync(
          lockFile(),
          JSON.stringify({
            pid: other.pid,
            processStart: "an-earlier-boot:1",
            startedAt: "x",
            hostname: hostname(),
          }),
        );
        await (await acquireDaemonLock(dir.path, {})).release();
      } finally {
        other.stop();
      }
    },
  );

  it("takes over a lock file that cannot be parsed", async () => {
    writeFileSync(lockFile(), "garbage");
    const lock = await acquireDaemonLock(dir.path, {});
    expect(JSON.parse(readFileSync(lockFile(), "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("treats a lock from another host as held and says so", async () => {
    const pid = await deadPid();
    writeFileSync(lockFile(), JSON.stringify({ pid, startedAt: "2026-11-25T10:00:00Z", hostname: "nas" }));
    await expect(acquireDaemonLock(dir.path, {})).rejects.toMatchObject({
      code: "STATE_LOCKED",
      message: expect.stringContaining(`(PID ${pid} on host nas,`),
    });
    expect(await readDaemonLock(dir.path)).toMatchObject({ hostname: "nas", alive: true });
  });

  it("release removes the file, only while it is ours", async () => {
    const lock = await acquireDaemonLock(dir.path, {});
    await lock.release();
    expect(existsSync(lockFile())).toBe(false);
    await lock.release();

    const again = await acquireDaemonLock(dir.path, {});
    writeFileSync(
      lockFile(),
      JSON.stringify({ pid: 1, startedAt: "2026-11-25T10:00:00Z", hostname: hostname() }),
    );
    await again.release();
    expect(existsSync(lockFile())).toBe(true);
  });

  it("reports no daemon when there is no lock", async () => {
    expect(await readDaemonLock(dir.path)).toBeUndefined();
  });
});
