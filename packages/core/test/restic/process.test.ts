import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { type ResticProcessOptions, runResticProcess } from "../../src/restic/process.js";

/**
 * runResticProcess against stand-in programs that behave as restic does when its backend is gone:
 * print retry reports for as long as they like, or ignore SIGINT and SIGTERM while "cleaning up".
 */
const folder = mkdtempSync(join(tmpdir(), "sb-process-"));
const leftovers: number[] = [];

afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  rmSync(folder, { recursive: true, force: true });
});

// A retry report as restic 0.18 printed it (fixtures/backend-retry/0.18.0/down-at-start.timed.txt).
const RETRY_LINE = readFileSync(
  new URL("./fixtures/backend-retry/0.18.0/down-at-start.timed.txt", import.meta.url),
  "utf8",
)
  .split("\n")
  .find((line) => line.includes("retrying after"))
  ?.replace(/^\S+ /, "") as string;

function program(name: string, body: string): string {
  const path = join(folder, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Runs `binary` and asks it to stop (our AbortSignal) on its first stderr line. */
function stopOnFirstLine(binary: string, options: Partial<ResticProcessOptions> = {}) {
  const controller = new AbortController();
  return runResticProcess(binary, [], {
    env: {},
    signal: controller.signal,
    onStderrLine: () => controller.abort(),
    ...options,
  });
}

describe("runResticProcess", () => {
  it("stops restic with SIGINT once it has retried a backend request past the limit", async () => {
    const retrying = program(
      "retrying",
      `trap 'echo "signal interrupt received, cleaning up" >&2; exit 1' INT
while :; do printf '%s\\n' '${RETRY_LINE}' >&2; sleep 0.1; done`,
    );
    const started = Date.now();
    const result = await runResticProcess(retrying, [], { env: {}, backendUnreachableAfterMs: 400 });

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({
      exitCode: 1,
      interrupted: false,
      backendUnreachable: { operation: "Stat(<config/>)", failingForMs: expect.any(Number) },
    });
    expect(result.backendUnreachable?.failingForMs).toBeGreaterThanOrEqual(400);
    expect(result.backendFailing).toEqual(result.backendUnreachable);
    expect(result.stderr).toContain("signal interrupt received");
  });

  it("says which request restic was still retrying when our signal stopped it", async () => {
    const retrying = program(
      "retrying-once",
      `trap 'exit 130' INT
printf '%s\\n' '${RETRY_LINE}' >&2; while :; do sleep 0.1; done`,
    );
    const result = await stopOnFirstLine(retrying);

    expect(result).toMatchObject({ exitCode: 130, interrupted: true, backendUnreachable: undefined });
    expect(result.backendFailing).toMatchObject({ operation: "Stat(<config/>)", retries: 1 });
  });

  it("escalates to SIGTERM, then SIGKILL, when restic ignores SIGINT, and says so", async () => {
    const stubborn = program("stubborn", `trap '' INT TERM\necho ready >&2\nwhile :; do sleep 0.1; done`);
    const notices: string[] = [];
    const started = Date.now();
    const result = await stopOnFirstLine(stubborn, {
      stopEscalation: { sigtermAfterMs: 200, sigkillAfterMs: 200 },
      onNotice: (line) => notices.push(line),
    });

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ signal: "SIGKILL", interrupted: true });
    expect(notices).toEqual([
      "restic had not exited 0.2s after SIGINT: sent SIGTERM",
      "restic had not exited 0.2s after SIGTERM: sent SIGKILL",
    ]);
  });

  it("ends even when a process restic started keeps its pipes open after SIGKILL", async () => {
    const pidFile = join(folder, "orphan.pid");
    const holder = program(
      "holder",
      `trap '' INT TERM\nsleep 30 &\necho $! > ${pidFile}\necho ready >&2\nwhile :; do sleep 0.1; done`,
    );
    const started = Date.now();
    const result = await stopOnFirstLine(holder, {
      stopEscalation: { sigtermAfterMs: 100, sigkillAfterMs: 100 },
    });
    leftovers.push(Number(readFileSync(pidFile, "utf8")));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ signal: "SIGKILL", interrupted: true, stderr: "ready" });
  });

  it("lets restic retry as long as it likes with an infinite limit", async () => {
    const retrying = program(
      "retrying-briefly",
      `for i in 1 2 3 4 5; do printf '%s\\n' '${RETRY_LINE}' >&2; sleep 0.1; done`,
    );
    const result = await runResticProcess(retrying, [], {
      env: {},
      backendUnreachableAfterMs: Number.POSITIVE_INFINITY,
    });
    expect(result).toMatchObject({ exitCode: 0, backendUnreachable: undefined });
  });

  it("pipes stdout as bytes into `stdout`, counts them, and leaves ending it to its owner", async () => {
    const dumping = program("dumping", `printf 'line one\\nno newline at the end' ; echo said >&2`);
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    const lines: string[] = [];
    const result = await runResticProcess(dumping, [], {
      env: {},
      stdout: sink,
      onStdoutLine: (line) => lines.push(line),
    });

    expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "said", stdoutBytes: 30 });
    expect(Buffer.concat(chunks).toString()).toBe("line one\nno newline at the end");
    expect(lines).toEqual([]);
    expect(sink.writableEnded).toBe(false);
  });

  it("drains stdout once its reader has exited, so restic never blocks on a full pipe", async () => {
    const flooding = program("flooding", "head -c 20000000 /dev/zero");
    const reader = spawn("head", ["-c", "10"], { stdio: ["pipe", "ignore", "ignore"] });
    reader.stdin.on("error", () => {});
    const started = Date.now();
    const result = await runResticProcess(flooding, [], { env: {}, stdout: reader.stdin });

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ exitCode: 0, stdoutBytes: 20_000_000 });
  });
});
