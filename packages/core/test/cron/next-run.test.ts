import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";
import { nextRunAfter, previousRunAtOrBefore, stableJitterMs } from "../../src/cron/next-run.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const at = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString();

/** Every slot in (from, to], as UTC ISO strings, by chaining nextRunAfter as the scheduler does. */
function slotsBetween(schedule: string, from: string, to: string, timezone?: string): string[] {
  const slots: string[] = [];
  for (let slot = nextRunAfter(schedule, at(from), { timezone }); slot <= at(to); ) {
    slots.push(iso(slot));
    slot = nextRunAfter(schedule, slot, { timezone });
  }
  return slots;
}

/** Local times with their offset, as a reader checks them against a wall clock, turned into UTC ISO. */
const utc = (...localTimes: string[]) => localTimes.map((local) => iso(at(local)));

describe("nextRunAfter", () => {
  it("runs every minute on the minute, strictly after the given instant", () => {
    expect(iso(nextRunAfter("* * * * *", at("2026-05-04T12:00:30.250Z"), { timezone: "UTC" }))).toBe(
      "2026-05-04T12:01:00.000Z",
    );
    expect(iso(nextRunAfter("* * * * *", at("2026-05-04T12:01:00Z"), { timezone: "UTC" }))).toBe(
      "2026-05-04T12:02:00.000Z",
    );
  });

  it("runs a daily job once a day at its time", () => {
    expect(slotsBetween("0 2 * * *", "2026-05-04T02:00:00Z", "2026-05-07T12:00:00Z", "UTC")).toEqual([
      "2026-05-05T02:00:00.000Z",
      "2026-05-06T02:00:00.000Z",
      "2026-05-07T02:00:00.000Z",
    ]);
  });

  it("reads six fields as seconds first", () => {
    expect(slotsBetween("*/2 * * * * *", "2026-05-04T12:00:00.500Z", "2026-05-04T12:00:08Z", "UTC")).toEqual([
      "2026-05-04T12:00:02.000Z",
      "2026-05-04T12:00:04.000Z",
      "2026-05-04T12:00:06.000Z",
      "2026-05-04T12:00:08.000Z",
    ]);
  });

  it.each([
    ["Asia/Tokyo", "2026-05-05T00:00:00.000Z"],
    ["America/New_York", "2026-05-04T13:00:00.000Z"],
    ["Europe/Berlin", "2026-05-05T07:00:00.000Z"],
    ["UTC", "2026-05-05T09:00:00.000Z"],
  ])("reads the schedule as wall-clock time in %s", (timezone, expected) => {
    expect(iso(nextRunAfter("0 9 * * *", at("2026-05-04T12:00:00Z"), { timezone }))).toBe(expected);
  });

  it("uses the machine's zone when no timezone is given", () => {
    const machine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (const schedule of ["30 2 * * *", "0 * * * *"]) {
      for (
        let instant = at("2026-03-27T00:00:00Z");
        instant < at("2026-04-01T00:00:00Z");
        instant += 7 * HOUR
      ) {
        expect(nextRunAfter(schedule, instant)).toBe(nextRunAfter(schedule, instant, { timezone: machine }));
      }
    }
  });

  it("rejects an unknown time zone", () => {
    expect(() => nextRunAfter("0 2 * * *", 0, { timezone: "Mars/Olympus_Mons" })).toThrow(RangeError);
  });

  // Day matching is cron-parser's own (L, #, day-or-weekday); in UTC no clock changes, so the two agree.
  it.each([
    "0 2 * * 1-5",
    "0 3 L * *",
    "0 0 * * 5L",
    "0 0 * * 1#2",
    "0 0 1 * 1",
    "0 0 1,15 * ?",
    "15 4 29 2 *",
    "*/20 8-10 * 1,7 *",
    "30 15 10 * * 0",
    "@weekly",
    "@hourly",
  ])("agrees with cron-parser on %j where no clock change is involved", (schedule) => {
    const reference = CronExpressionParser.parse(schedule, {
      tz: "UTC",
      currentDate: at("2026-01-01T00:00:00Z"),
    });
    let slot = at("2026-01-01T00:00:00Z");
    for (let count = 0; count < 24; count++) {
      slot = nextRunAfter(schedule, slot, { timezone: "UTC" });
      expect(iso(slot)).toBe(reference.next().toISOString());
    }
  });
});

/*
 * Daylight-saving changes. What cron-parser 5.10 does on its own, found by running it:
 * - spring forward, `30 2 * * *`: runs at 03:30, once; but asked from 03:00-03:29 on that day it skips
 *   to the next day, and stepping back it skips the day entirely;
 * - fall back, `30 2 * * *`: from before the change it runs once (first 02:30), but asked from inside
 *   the repeated hour after that run, it returns the second 02:30 too; stepping back yields both;
 * - `0 * * * *`: every real hour, both 02:00s in fall.
 * nextRunAfter/previousRunAtOrBefore give the result of the first walk from any instant (next-run.ts).
 */
describe.each([
  {
    zone: "Europe/Berlin",
    spring: {
      window: ["2026-03-28T00:00:00+01:00", "2026-03-31T00:00:00+02:00"],
      daily: ["2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"],
      hourly: {
        hours: 71,
        around: [
          "2026-03-29T00:00:00+01:00",
          "2026-03-29T01:00:00+01:00",
          "2026-03-29T03:00:00+02:00",
          "2026-03-29T04:00:00+02:00",
        ],
      },
      halfHours: [
        "2026-03-28T02:00:00+01:00",
        "2026-03-28T02:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T02:00:00+02:00",
        "2026-03-30T02:30:00+02:00",
      ],
    },
    fall: {
      window: ["2026-10-24T00:00:00+02:00", "2026-10-27T00:00:00+01:00"],
      // 02:00-02:59 happens twice on the 25th.
      daily: ["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"],
      hourly: {
        hours: 73,
        around: [
          "2026-10-25T01:00:00+02:00",
          "2026-10-25T02:00:00+02:00",
          "2026-10-25T02:00:00+01:00",
          "2026-10-25T03:00:00+01:00",
        ],
      },
      halfHours: [
        "2026-10-24T02:00:00+02:00",
        "2026-10-24T02:30:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T02:00:00+01:00",
        "2026-10-26T02:30:00+01:00",
      ],
    },
  },
  {
    zone: "America/New_York",
    spring: {
      window: ["2026-03-07T00:00:00-05:00", "2026-03-10T00:00:00-04:00"],
      daily: ["2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"],
      hourly: {
        hours: 71,
        around: [
          "2026-03-08T00:00:00-05:00",
          "2026-03-08T01:00:00-05:00",
          "2026-03-08T03:00:00-04:00",
          "2026-03-08T04:00:00-04:00",
        ],
      },
      halfHours: [
        "2026-03-07T02:00:00-05:00",
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:00:00-04:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:00:00-04:00",
        "2026-03-09T02:30:00-04:00",
      ],
    },
    fall: {
      window: ["2026-10-31T00:00:00-04:00", "2026-11-03T00:00:00-05:00"],
      // 01:00-01:59 happens twice on the 1st, so the daily job to watch is the one at 01:30.
      daily: ["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"],
      hourly: {
        hours: 73,
        around: [
          "2026-11-01T00:00:00-04:00",
          "2026-11-01T01:00:00-04:00",
          "2026-11-01T01:00:00-05:00",
          "2026-11-01T02:00:00-05:00",
        ],
      },
      halfHours: [
        "2026-10-31T01:00:00-04:00",
        "2026-10-31T01:30:00-04:00",
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-02T01:00:00-05:00",
        "2026-11-02T01:30:00-05:00",
      ],
    },
  },
])("daylight-saving changes in $zone", ({ zone, spring, fall }) => {
  const fallHour = zone === "America/New_York" ? 1 : 2;

  describe.each([
    ["spring forward", spring, 2],
    ["fall back", fall, fallHour],
  ] as const)("%s", (_, change, hour) => {
    const [from, to] = change.window as [string, string];
    const daily = `30 ${hour} * * *`;
    const halfHours = `*/30 ${hour} * * *`;

    it("runs a daily job in the changed hour exactly once a day", () => {
      expect(slotsBetween(daily, from, to, zone)).toEqual(utc(...change.daily));
    });

    it("runs an hourly job at every real hour", () => {
      const slots = slotsBetween("0 * * * *", from, to, zone);
      expect(slots).toHaveLength(change.hourly.hours);
      const first = slots.indexOf(utc(change.hourly.around[0] as string)[0] as string);
      expect(slots.slice(first, first + 4)).toEqual(utc(...change.hourly.around));
      for (const [index, slot] of slots.entries()) {
        if (index > 0) expect(at(slot) - at(slots[index - 1] as string)).toBe(HOUR);
      }
    });

    it("keeps each slot of a job that runs several times in the changed hour, once", () => {
      expect(slotsBetween(halfHours, from, to, zone)).toEqual(utc(...change.halfHours));
    });

    it.each([
      ["daily", daily],
      ["hourly", "0 * * * *"],
      ["half-hourly", halfHours],
      ["quarter-hourly", "*/15 * * * *"],
      ["two slots an hour over three hours", `15,45 ${hour - 1}-${hour + 1} * * *`],
    ])("gives the same %s slots whatever instant it is asked from", (_, schedule) => {
      // A scheduler asks from `now`, which after a restart or a long backup can be any instant: inside
      // the repeated hour, or just after the skipped one.
      const margin = 2 * DAY;
      const slots = slotsBetween(schedule, iso(at(from) - margin), iso(at(to) + margin), zone).map(at);
      for (let instant = at(from); instant <= at(to); instant += 7 * MINUTE + 1_234) {
        const next = slots.find((slot) => slot > instant);
        const previous = slots.findLast((slot) => slot <= instant);
        expect(iso(nextRunAfter(schedule, instant, { timezone: zone })), `next after ${iso(instant)}`).toBe(
          iso(next as number),
        );
        expect(
          previousRunAtOrBefore(schedule, instant, { timezone: zone }),
          `previous at ${iso(instant)}`,
        ).toBe(previous);
      }
    });
  });
});

describe("the cases cron-parser gets wrong on its own", () => {
  it("does not run a daily job again when asked from inside the repeated hour", () => {
    // cron-parser answers 2026-10-25T02:30:00+01:00 here, an hour after the 02:30 CEST run.
    const askedAt = at("2026-10-25T02:10:00+01:00");
    expect(iso(nextRunAfter("30 2 * * *", askedAt, { timezone: "Europe/Berlin" }))).toBe(
      iso(at("2026-10-26T02:30:00+01:00")),
    );
  });

  it("runs the skipped 02:30 at 03:30 even when asked at 03:10", () => {
    // cron-parser moves on to the next day from here.
    const askedAt = at("2026-03-29T03:10:00+02:00");
    expect(iso(nextRunAfter("30 2 * * *", askedAt, { timezone: "Europe/Berlin" }))).toBe(
      iso(at("2026-03-29T03:30:00+02:00")),
    );
  });

  it("finds the spring-forward day's slot when looking back, so catch-up sees it", () => {
    // cron-parser's prev() skips to 2026-03-28T02:30:00+01:00.
    const previous = previousRunAtOrBefore("30 2 * * *", at("2026-03-29T07:00:00+02:00"), {
      timezone: "Europe/Berlin",
    });
    expect(iso(previous as number)).toBe(iso(at("2026-03-29T03:30:00+02:00")));
  });

  it("looks back to the first 02:30 of the fall-back day, the one that ran", () => {
    // cron-parser's prev() answers the second 02:30, which never runs.
    const previous = previousRunAtOrBefore("30 2 * * *", at("2026-10-25T05:00:00+01:00"), {
      timezone: "Europe/Berlin",
    });
    expect(iso(previous as number)).toBe(iso(at("2026-10-25T02:30:00+02:00")));
  });
});

describe("previousRunAtOrBefore", () => {
  it("returns a slot that falls exactly at the given instant", () => {
    expect(
      iso(previousRunAtOrBefore("0 2 * * *", at("2026-05-05T02:00:00Z"), { timezone: "UTC" }) as number),
    ).toBe("2026-05-05T02:00:00.000Z");
  });

  it("returns the latest earlier slot otherwise", () => {
    expect(
      iso(previousRunAtOrBefore("0 2 * * *", at("2026-05-05T01:59:59.999Z"), { timezone: "UTC" }) as number),
    ).toBe("2026-05-04T02:00:00.000Z");
    expect(
      iso(previousRunAtOrBefore("0 0 1 1 *", at("2026-05-05T00:00:00Z"), { timezone: "UTC" }) as number),
    ).toBe("2026-01-01T00:00:00.000Z");
  });

  it("tells a slot missed while the daemon was down from one that was not", () => {
    const lastRun = at("2026-05-04T02:00:00Z");
    const missed = previousRunAtOrBefore("0 2 * * *", at("2026-05-05T09:00:00Z"), { timezone: "UTC" });
    const notMissed = previousRunAtOrBefore("0 2 * * *", at("2026-05-05T01:00:00Z"), { timezone: "UTC" });
    expect(missed).toBeGreaterThan(lastRun);
    expect(notMissed).toBe(lastRun);
  });
});

describe("stableJitterMs", () => {
  it("gives the same delay for the same name every time", () => {
    expect(stableJitterMs("photos", 600_000)).toBe(stableJitterMs("photos", 600_000));
    expect(stableJitterMs("photos", 600_000)).not.toBe(stableJitterMs("documents", 600_000));
  });

  it("is 0 when there is no jitter", () => {
    expect(stableJitterMs("photos", 0)).toBe(0);
  });

  it("spreads 1000 names evenly over [0, max)", () => {
    const max = 600_000;
    const buckets = new Map<number, number>();
    for (let index = 0; index < 1000; index++) {
      const jitter = stableJitterMs(`job-${index}`, max);
      expect(Number.isInteger(jitter)).toBe(true);
      expect(jitter).toBeGreaterThanOrEqual(0);
      expect(jitter).toBeLessThan(max);
      const bucket = Math.floor((jitter / max) * 10);
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    }
    // 100 expected per bucket; a fair hash stays well inside this band.
    expect(buckets.size).toBe(10);
    for (const count of buckets.values()) {
      expect(count).toBeGreaterThan(60);
      expect(count).toBeLessThan(140);
    }
  });

  it("stays below a max of 1 ms and handles names beyond ASCII", () => {
    expect(stableJitterMs("Фотографии", 1)).toBe(0);
    expect(stableJitterMs("写真 📷", 1_000)).toBeLessThan(1_000);
  });
});

describe("a 10,000-job config", () => {
  it("computes every job's next and previous slot", () => {
    const zones = [undefined, "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"];
    const jobs = Array.from({ length: 10_000 }, (_, index) => ({
      schedule:
        index % 7 === 0
          ? `${index % 60} */${1 + (index % 6)} * * *`
          : index % 11 === 0
            ? `0 ${index % 24} * * 1-5`
            : `${index % 60} ${index % 24} * * *`,
      timezone: zones[index % zones.length],
    }));
    const now = at("2026-05-04T12:00:00Z");

    const started = performance.now();
    const next = jobs.map((job) => nextRunAfter(job.schedule, now, job));
    const nextMs = performance.now() - started;
    const previous = jobs.map((job) => previousRunAtOrBefore(job.schedule, now, job));
    const bothMs = performance.now() - started;

    expect(next.every((slot) => slot > now && slot <= now + DAY)).toBe(true);
    expect(previous.every((slot) => slot !== undefined && slot <= now && slot >= now - 3 * DAY)).toBe(true);

    console.log(
      `10,000 jobs: nextRunAfter ${nextMs.toFixed(0)} ms, then previousRunAtOrBefore ${(bothMs - nextMs).toFixed(0)} ms`,
    );
  });
});
