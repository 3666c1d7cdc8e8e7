import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKEND_UNREACHABLE_AFTER_MS } from "../../src/config/defaults.js";
import {
  type BackendRetry,
  createBackendRetryWatchdog,
  parseBackendRetryLine,
} from "../../src/restic/backend-watchdog.js";
import { createManualClock } from "../../src/scheduler/clock.js";

const captures = new URL("./fixtures/backend-retry/", import.meta.url);

/** One timed capture (fixtures/backend-retry/capture.sh): restic's stderr lines with their times. */
function timedCapture(version: string, name: string): { atMs: number; line: string }[] {
  return readFileSync(new URL(`${version}/${name}.timed.txt`, captures), "utf8")
    .split("\n")
    .filter((row) => row !== "" && !/^\S+ # /.test(row))
    .map((row) => {
      const space = row.indexOf(" ");
      return { atMs: Math.round(Number(row.slice(0, space)) * 1000), line: row.slice(space + 1) };
    });
}

function retryLines(version: string, name: string): string[] {
  return timedCapture(version, name)
    .map((row) => row.line)
    .filter((line) => parseBackendRetryLine(line)?.kind === "retry");
}

/** A watchdog on a manual clock that starts at 0, and what it reported. */
function watch(unreachableAfterMs = DEFAULT_BACKEND_UNREACHABLE_AFTER_MS) {
  const clock = createManualClock(0);
  const tripped: { atMs: number; retry: BackendRetry }[] = [];
  const watchdog = createBackendRetryWatchdog({
    unreachableAfterMs,
    timers: clock,
    onUnreachable: (retry) => tripped.push({ atMs: clock.now(), retry }),
  });
  /** Feeds `line` at `atMs`, firing the watchdog's timers due on the way. */
  const at = async (atMs: number, line?: string) => {
    await clock.advance(atMs - clock.now());
    if (line !== undefined) watchdog.observe(line);
  };
  const replay = async (rows: readonly { atMs: number; line: string }[]) => {
    for (const row of rows) await at(row.atMs, row.line);
  };
  return { clock, watchdog, tripped, at, replay };
}

describe("parseBackendRetryLine on captured stderr", () => {
  it.each(["0.14.0", "0.18.0"])("reads restic %s's retry report: request, wait and cause", (version) => {
    const [first] = retryLines(version, "stopped-4s-during-backup");
    expect(parseBackendRetryLine(first as string)).toEqual({
      kind: "retry",
      operation: expect.stringMatching(/^Save\(<data\/[0-9a-f]{10}>\)$/),
      waitMs: expect.any(Number),
      cause: expect.stringContaining('Post "http://u:***@127.0.0.1:'),
    });
  });

  it.each([
    ["seconds", /retrying after ([\d.]+)s:/, 1000],
    ["milliseconds", /retrying after ([\d.]+)ms:/, 1],
  ] as const)("reads the wait in Go's notation, in %s", (_, notation, unitMs) => {
    const lines = ["0.14.0", "0.18.0"]
      .flatMap((version) => retryLines(version, "stopped-4s-during-backup"))
      .filter((line) => notation.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const written = Number(notation.exec(line)?.[1]) * unitMs;
      expect(parseBackendRetryLine(line)).toMatchObject({ waitMs: expect.closeTo(written, 6) });
    }
  });

  it("reads 0.18's report that a retried request succeeded", () => {
    const recovered = timedCapture("0.18.0", "back-after-6s")
      .map((row) => parseBackendRetryLine(row.line))
      .filter((event) => event?.kind === "recovered");
    const retries = retryLines("0.18.0", "back-after-6s").length;
    expect(recovered).toEqual([{ kind: "recovered", operation: "Stat(<config/>)", retries }]);
  });

  it("keeps URL credentials masked, and masks any restic left in the cause", () => {
    const [line] = retryLines("0.18.0", "down-at-start");
    const unmasked = (line as string).replace("u:***@", "u:capture-secret@");
    const retry = parseBackendRetryLine(unmasked);
    expect(retry?.kind === "retry" && retry.cause).toContain("http://u:***@127.0.0.1:");
    expect(JSON.stringify(retry)).not.toContain("capture-secret");
  });

  it("ignores every other line restic prints", () => {
    const others = [
      ...timedCapture("0.14.0", "down-at-start"),
      ...timedCapture("0.18.0", "down-at-start"),
    ].filter((row) => !row.line.includes("retrying after"));
    expect(others.length).toBeGreaterThan(0);
    for (const row of others) expect(parseBackendRetryLine(row.line)).toBeUndefined();
  });
});

describe("the backend-retry watchdog, replaying captured runs", () => {
  it("trips 45 s after restic 0.18 first retried a server that is down, during one of its long waits", async () => {
    const run = timedCapture("0.18.0", "down-at-start");
    const { tripped, replay, at } = watch();
    const firstRetryAt = run[0]?.atMs as number;
    const before = run.filter((row) => row.atMs < firstRetryAt + 45_000);
    await replay(before);
    await at(firstRetryAt + 45_000);

    expect(tripped).toEqual([
      {
        atMs: firstRetryAt + 45_000,
        retry: {
          operation: "Stat(<config/>)",
          cause: expect.stringMatching(
            /^Head "http:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/repo\/config": .*connection refused$/,
          ),
          retries: before.length,
          failingForMs: 45_000,
        },
      },
    ]);
  });

  it("trips after the injected deadline, however short", async () => {
    const run = timedCapture("0.18.0", "down-at-start");
    const { tripped, replay, at } = watch(3_000);
    const firstRetryAt = run[0]?.atMs as number;
    await replay(run.filter((row) => row.atMs < firstRetryAt + 3_000));
    await at(firstRetryAt + 3_000);

    expect(tripped.map((t) => t.atMs)).toEqual([firstRetryAt + 3_000]);
  });

  it("does not trip when 0.18 reports that the request succeeded once the server was back", async () => {
    const { tripped, replay, at, watchdog } = watch();
    await replay(timedCapture("0.18.0", "back-after-6s"));
    expect(watchdog.failing()).toBeUndefined();
    await at(120_000);
    expect(tripped).toEqual([]);
  });

  it.each(["0.14.0", "0.18.0"])(
    "does not trip on restic %s's retries while the server was gone for 4 s of a backup",
    async (version) => {
      const { tripped, replay, at } = watch();
      await replay(timedCapture(version, "stopped-4s-during-backup"));
      await at(300_000);
      expect(tripped).toEqual([]);
    },
  );

  it.each(["0.14.0", "0.18.0"])(
    "trips on restic %s's retried uploads once the server has stopped for good during a backup",
    async (version) => {
      const run = timedCapture(version, "stopped-during-backup");
      const { tripped, replay } = watch(20_000);
      await replay(run);

      expect(tripped).toHaveLength(1);
      expect(tripped[0]?.retry).toMatchObject({
        operation: expect.stringMatching(/^Save\(<data\/[0-9a-f]{10}>\)$/),
        failingForMs: 20_000,
      });
      // The first request that kept failing sets the time: 20 s after its first retry.
      const first = run.find((row) => row.line.startsWith(tripped[0]?.retry.operation as string));
      expect(tripped[0]?.atMs).toBe((first?.atMs as number) + 20_000);
    },
  );
});

describe("the backend-retry watchdog's streaks", () => {
  const [stat1, stat2, stat3] = retryLines("0.18.0", "down-at-start") as [string, string, string];
  const saves = retryLines("0.14.0", "stopped-4s-during-backup");

  it("follows each request on its own: many single failures never add up", async () => {
    const { tripped, at } = watch(10_000);
    // One retry each for distinct requests, 3 s apart, over more than the deadline.
    const distinct = [...new Map(saves.map((line) => [line.slice(0, line.indexOf(")")), line])).values()];
    expect(distinct.length).toBeGreaterThanOrEqual(4);
    for (const [i, line] of distinct.entries()) await at(i * 3_000, line);
    await at(60_000);
    expect(tripped).toEqual([]);
  });

  it("continues a streak across a slow failure: the request's next retry comes after a 30 s dial timeout", async () => {
    const { tripped, at } = watch();
    // Each retry waits ~1-5 s, then the retried request takes 30 s to fail: the timer sees it quiet.
    await at(0, stat1);
    await at(1_300 + 30_000, stat2);
    await at(31_300 + 2_100 + 30_000);
    expect(tripped).toEqual([]);
    await at(31_300 + 2_100 + 30_000 + 10, stat3);
    expect(tripped).toEqual([
      { atMs: 63_410, retry: expect.objectContaining({ retries: 3, failingForMs: 63_410 }) },
    ]);
  });

  it("starts a new streak when the same request fails again long after it went quiet", async () => {
    const { tripped, at } = watch();
    await at(0, stat1);
    await at(Math.ceil((parseBackendRetryLine(stat1) as { waitMs: number }).waitMs) + 35_001, stat2);
    await at(200_000);
    expect(tripped).toEqual([]);
  });

  it("says which request may still be failing, until its wait and a settling time have passed", async () => {
    const { watchdog, at } = watch();
    expect(watchdog.failing()).toBeUndefined();
    await at(1_000, stat1);
    expect(watchdog.failing()).toMatchObject({ operation: "Stat(<config/>)", retries: 1, failingForMs: 0 });
    // Past the wait stat1 announced, 5 s more for the retried request to fail again.
    const waitMs = Math.floor((parseBackendRetryLine(stat1) as { waitMs: number }).waitMs);
    await at(1_000 + waitMs + 4_999);
    expect(watchdog.failing()).toMatchObject({ failingForMs: waitMs + 4_999 });
    await at(1_000 + waitMs + 5_001);
    expect(watchdog.failing()).toBeUndefined();
  });

  it("never trips with an infinite deadline, and not after stop()", async () => {
    const endless = watch(Number.POSITIVE_INFINITY);
    await endless.replay(timedCapture("0.18.0", "down-at-start"));
    await endless.at(600_000);
    expect(endless.tripped).toEqual([]);

    const stopped = watch(1_000);
    await stopped.at(0, stat1);
    stopped.watchdog.stop();
    await stopped.at(1_000, stat2);
    await stopped.at(60_000);
    expect(stopped.tripped).toEqual([]);
    expect(stopped.clock.pendingTimers()).toBe(0);
  });
});
