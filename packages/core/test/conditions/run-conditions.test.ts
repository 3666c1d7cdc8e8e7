import { describe, expect, it } from "vitest";
import type { PowerReading } from "../../src/conditions/power.js";
import type { SshRoute } from "../../src/conditions/repository-endpoint.js";
import {
  type CommandOutcome,
  type ConditionIO,
  type ConnectOutcome,
  checkRunConditions,
  type PathState,
} from "../../src/conditions/run-conditions.js";
import { makeJob } from "../helpers/job.js";
import { when } from "./when.js";

interface FakeMachine {
  power?: PowerReading;
  paths?: Record<string, PathState>;
  connect?: (host: string, port: number) => ConnectOutcome;
  ssh?: SshRoute;
  command?: Partial<CommandOutcome>;
  env?: Record<string, string>;
}

/** A machine described in a line; `asked` records what each check looked at, in order. */
function fakeIO(machine: FakeMachine = {}) {
  const asked: string[] = [];
  const warnings: string[] = [];
  const commands: { command: string; env: Readonly<Record<string, string>> }[] = [];
  const io: ConditionIO = {
    env: machine.env ?? {},
    warn: (message) => warnings.push(message),
    power: async () => {
      asked.push("power");
      return machine.power ?? { source: "mains" };
    },
    pathState: async (path) => {
      asked.push(`stat ${path}`);
      return machine.paths?.[path] ?? { state: "present" };
    },
    connect: async (host, port) => {
      asked.push(`connect ${host}:${port}`);
      return machine.connect?.(host, port) ?? { connected: true };
    },
    sshRoute: async (endpoint) => {
      asked.push(`ssh -G ${endpoint.host}`);
      return machine.ssh;
    },
    runCommand: async (command, env) => {
      asked.push(`run ${command}`);
      commands.push({ command, env });
      return {
        exitCode: 0,
        timedOut: false,
        timeoutMs: 30_000,
        firstLine: undefined,
        error: undefined,
        ...machine.command,
      };
    },
  };
  return { io, asked, warnings, commands };
}

const ALL_ON = when({
  onAcPower: true,
  pathExists: ["/media/usb/restic"],
  reachable: true,
  command: "check-wifi",
});

describe("checkRunConditions", () => {
  it("a job without when is met without a look", async () => {
    const { io, asked } = fakeIO();
    expect(await checkRunConditions(makeJob(), io)).toEqual({ met: true });
    expect(asked).toEqual([]);
  });

  it("looks cheapest first and is met when all hold", async () => {
    const { io, asked } = fakeIO();
    const job = makeJob({ repository: "rest:http://backup.example.com:8000/", when: ALL_ON });
    expect(await checkRunConditions(job, io)).toEqual({ met: true });
    expect(asked).toEqual([
      "power",
      "stat /media/usb/restic",
      "connect backup.example.com:8000",
      "run check-wifi",
    ]);
  });

  it("stops at the first condition that does not hold", async () => {
    const { io, asked } = fakeIO({ paths: { "/media/usb/restic": { state: "missing" } } });
    const job = makeJob({ repository: "rest:http://backup.example.com:8000/", when: ALL_ON });
    expect(await checkRunConditions(job, io)).toEqual({
      met: false,
      condition: "path_exists",
      reason: "/media/usb/restic is not there (is the drive plugged in?)",
    });
    expect(asked).toEqual(["power", "stat /media/usb/restic"]);
  });

  it("checks only the conditions that are on", async () => {
    const { io, asked } = fakeIO();
    await checkRunConditions(makeJob({ when: when({ command: "true" }) }), io);
    expect(asked).toEqual(["run true"]);
  });

  it("rejects with the signal's reason when aborted, before looking further", async () => {
    const { io, asked } = fakeIO();
    const controller = new AbortController();
    controller.abort(new Error("stopping"));
    const job = makeJob({ when: ALL_ON });
    await expect(checkRunConditions(job, io, { signal: controller.signal })).rejects.toThrow("stopping");
    expect(asked).toEqual([]);
  });
});

describe("on_ac_power", () => {
  const job = makeJob({ when: when({ onAcPower: true }) });

  it.each([
    [{ source: "mains" } as const, { met: true }],
    [
      { source: "battery", ups: false } as const,
      { met: false, condition: "on_ac_power", reason: "on battery" },
    ],
    [
      { source: "battery", ups: true } as const,
      { met: false, condition: "on_ac_power", reason: "on UPS power" },
    ],
  ])("%o", async (power, expected) => {
    expect(await checkRunConditions(job, fakeIO({ power }).io)).toEqual(expected);
  });

  it("a power source it cannot read counts as mains, with a warning: a backup never stops over a battery it cannot read", async () => {
    const { io, warnings } = fakeIO({
      power: { source: "unknown", why: "pmset -g batt could not run: ENOENT" },
    });
    expect(await checkRunConditions(job, io)).toEqual({ met: true });
    expect(warnings).toEqual([
      "on_ac_power: cannot tell whether this machine is on battery (pmset -g batt could not run: ENOENT); running as if on mains",
    ]);
  });
});

describe("path_exists", () => {
  const job = makeJob({ when: when({ pathExists: ["/media/usb/restic", "/mnt/nas/photos"] }) });

  it("every path must be there", async () => {
    const { io, asked } = fakeIO();
    expect(await checkRunConditions(job, io)).toEqual({ met: true });
    expect(asked).toEqual(["stat /media/usb/restic", "stat /mnt/nas/photos"]);
  });

  it.each([
    [{ state: "missing" } as const, "/mnt/nas/photos is not there (is the drive plugged in?)"],
    [
      { state: "timeout", timeoutMs: 5000 } as const,
      "/mnt/nas/photos does not answer within 5 s (a network share that is down?)",
    ],
    [{ state: "error", code: "EACCES" } as const, "/mnt/nas/photos cannot be checked (permission denied)"],
    [
      { state: "error", code: "EIO" } as const,
      "/mnt/nas/photos cannot be checked (I/O error: was the drive pulled out?)",
    ],
  ])("%o", async (state, reason) => {
    const { io } = fakeIO({ paths: { "/mnt/nas/photos": state } });
    expect(await checkRunConditions(job, io)).toEqual({ met: false, condition: "path_exists", reason });
  });
});

describe("reachable", () => {
  const reachable = (repository: string, env: Record<string, string> = {}) =>
    makeJob({ repository, env, when: when({ reachable: true }) });

  it.each([
    ["ECONNREFUSED", "backup.example.com:8000 does not answer (connection refused)"],
    ["TIMEOUT", "backup.example.com:8000 does not answer (no answer in time)"],
    ["ENOTFOUND", "backup.example.com:8000 does not answer (no such host)"],
    ["ENETUNREACH", "backup.example.com:8000 does not answer (network unreachable: offline?)"],
  ])("%s", async (code, reason) => {
    const { io } = fakeIO({ connect: () => ({ connected: false, code }) });
    expect(await checkRunConditions(reachable("rest:http://backup.example.com:8000/"), io)).toEqual({
      met: false,
      condition: "reachable",
      reason,
    });
  });

  it("never names a URL's credentials", async () => {
    const { io } = fakeIO({ connect: () => ({ connected: false, code: "ECONNREFUSED" }) });
    const verdict = await checkRunConditions(reachable("rest:https://user:s3cret@backup.example.com/"), io);
    expect(verdict).toMatchObject({ reason: "backup.example.com:443 does not answer (connection refused)" });
  });

  it.each(["/srv/restic", "rclone:onedrive:backup", "azure:container:/laptop"])(
    "%s: nothing to connect to, met without a look",
    async (repository) => {
      const { io, asked } = fakeIO();
      expect(await checkRunConditions(reachable(repository), io)).toEqual({ met: true });
      expect(asked).toEqual([]);
    },
  );

  it("connects to the HTTP proxy when one is set, from the job's env or the daemon's", async () => {
    const fromJob = fakeIO({ connect: () => ({ connected: false, code: "ECONNREFUSED" }) });
    const job = reachable("s3:s3.amazonaws.com/bucket", { HTTPS_PROXY: "http://proxy.corp:3128" });
    expect(await checkRunConditions(job, fromJob.io)).toMatchObject({
      reason: "the proxy proxy.corp:3128 does not answer (connection refused)",
    });
    expect(fromJob.asked).toEqual(["connect proxy.corp:3128"]);
    const fromDaemon = fakeIO({ env: { https_proxy: "proxy.corp:3128" } });
    await checkRunConditions(reachable("s3:s3.amazonaws.com/bucket"), fromDaemon.io);
    expect(fromDaemon.asked).toEqual(["connect proxy.corp:3128"]);
  });

  it("azure reads its account from the job's env", async () => {
    const { io, asked } = fakeIO();
    await checkRunConditions(reachable("azure:c:/laptop", { AZURE_ACCOUNT_NAME: "acme" }), io);
    expect(asked).toEqual(["connect acme.blob.core.windows.net:443"]);
  });

  it("sftp: an alias connects where ssh's config says, and the reason names both", async () => {
    const { io, asked } = fakeIO({
      ssh: { kind: "direct", host: "nas.home.arpa", port: 2222 },
      connect: () => ({ connected: false, code: "EHOSTUNREACH" }),
    });
    expect(await checkRunConditions(reachable("sftp:backup@nas:/srv/restic"), io)).toMatchObject({
      reason: "nas (nas.home.arpa:2222) does not answer (host unreachable)",
    });
    expect(asked).toEqual(["ssh -G nas", "connect nas.home.arpa:2222"]);
  });

  it("sftp: a port in the URL wins over ssh's config, as with ssh -p", async () => {
    const { io, asked } = fakeIO({ ssh: { kind: "direct", host: "nas.home.arpa", port: 2222 } });
    await checkRunConditions(reachable("sftp://backup@nas:2200//srv/restic"), io);
    expect(asked).toContain("connect nas.home.arpa:2200");
  });

  it("sftp: through a ProxyJump only ssh knows the way: met without a connect", async () => {
    const { io, asked } = fakeIO({ ssh: { kind: "proxied" } });
    expect(await checkRunConditions(reachable("sftp:behind:/srv/restic"), io)).toEqual({ met: true });
    expect(asked).toEqual(["ssh -G behind"]);
  });

  it("sftp: when ssh cannot say, the host and port as written", async () => {
    const { io, asked } = fakeIO({ ssh: undefined });
    await checkRunConditions(reachable("sftp:backup@nas.local:/srv/restic"), io);
    expect(asked).toEqual(["ssh -G nas.local", "connect nas.local:22"]);
  });
});

describe("command", () => {
  const job = (command: string) => makeJob({ name: "laptop", when: when({ command }) });

  it("exit 0 is met; the command gets the job's name and nothing of its env", async () => {
    const { io, commands } = fakeIO();
    const verdict = await checkRunConditions(
      makeJob({ name: "laptop", env: { AWS_SECRET_ACCESS_KEY: "k" }, when: when({ command: "check-wifi" }) }),
      io,
    );
    expect(verdict).toEqual({ met: true });
    expect(commands).toEqual([{ command: "check-wifi", env: { SIMPLEBACKUP_JOB: "laptop" } }]);
  });

  it.each([
    [{ exitCode: 1 }, "`check-wifi` exited 1"],
    [{ exitCode: 1, firstLine: "not on the home network" }, "`check-wifi` exited 1: not on the home network"],
    [{ exitCode: 127 }, "`check-wifi` exited 127 (command not found)"],
    [{ exitCode: 126 }, "`check-wifi` exited 126 (not executable)"],
    [{ exitCode: undefined, timedOut: true, timeoutMs: 30_000 }, "`check-wifi` did not finish within 30 s"],
    [{ exitCode: undefined }, "`check-wifi` was stopped by a signal"],
    [
      { exitCode: undefined, error: "spawn /bin/sh ENOENT" },
      "`check-wifi` could not run: spawn /bin/sh ENOENT",
    ],
  ])("%o", async (command, reason) => {
    const { io } = fakeIO({ command });
    expect(await checkRunConditions(job("check-wifi"), io)).toEqual({
      met: false,
      condition: "command",
      reason,
    });
  });

  it("a long command is shortened and its credentials masked in the reason", async () => {
    const { io } = fakeIO({
      command: { exitCode: 22, firstLine: "curl: (22) https://me:token@status.example.com 503" },
    });
    const verdict = await checkRunConditions(
      job("curl -sf https://me:token@status.example.com/health/of/the/backup/server/please"),
      io,
    );
    expect(verdict).toEqual({
      met: false,
      condition: "command",
      reason:
        "`curl -sf https://me:***@status.example.com/health/of/the/ba…` exited 22: curl: (22) https://me:***@status.example.com 503",
    });
  });
});
