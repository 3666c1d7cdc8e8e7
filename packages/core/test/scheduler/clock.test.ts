import { afterEach, describe, expect, it } from "vitest";
import { createManualClock, systemClock, type TimerHandle } from "../../src/scheduler/clock.js";

const START = Date.parse("2026-01-01T00:00:00Z");

describe("createManualClock", () => {
  it("starts at the given time, as a number or a Date", () => {
    expect(createManualClock(START).now()).toBe(START);
    expect(createManualClock(new Date(START)).now()).toBe(START);
  });

  it("fires timers in due order, each at its own due time", async () => {
    const clock = createManualClock(START);
    const fired: [string, number][] = [];
    clock.setTimer(() => fired.push(["c", clock.now() - START]), 300);
    clock.setTimer(() => fired.push(["a", clock.now() - START]), 100);
    clock.setTimer(() => fired.push(["b", clock.now() - START]), 200);
    clock.setTimer(() => fired.push(["late", clock.now() - START]), 1_000);

    await clock.advance(500);

    expect(fired).toEqual([
      ["a", 100],
      ["b", 200],
      ["c", 300],
    ]);
    expect(clock.now()).toBe(START + 500);
    expect(clock.pendingTimers()).toBe(1);
  });

  it("fires timers due at the same time in the order they were armed", async () => {
    const clock = createManualClock(START);
    const fired: string[] = [];
    for (const name of ["first", "second", "third"]) clock.setTimer(() => fired.push(name), 50);
    await clock.advance(50);
    expect(fired).toEqual(["first", "second", "third"]);
  });

  it("fires a timer armed by a callback when it falls due within the same advance", async () => {
    const clock = createManualClock(START);
    const fired: number[] = [];
    clock.setTimer(() => {
      fired.push(clock.now() - START);
      clock.setTimer(() => {
        fired.push(clock.now() - START);
        clock.setTimer(() => fired.push(clock.now() - START), 0);
      }, 250);
    }, 100);

    await clock.advance(1_000);

    expect(fired).toEqual([100, 350, 350]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("lets an async callback finish awaiting before time moves on", async () => {
    const clock = createManualClock(START);
    const fired: number[] = [];
    const work = async () => {
      await Promise.resolve();
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      await Promise.all([Promise.resolve(1), Promise.resolve(2)]);
      // Arms relative to the time the callback fired, which only holds if the clock waited for it.
      clock.setTimer(() => fired.push(clock.now() - START), 100);
    };
    clock.setTimer(() => {
      fired.push(clock.now() - START);
      void work();
    }, 100);

    await clock.advance(250);

    expect(fired).toEqual([100, 200]);
  });

  it("jump fires overdue timers once, all at the new time, and not the ones still ahead", async () => {
    const clock = createManualClock(START);
    const fired: [string, number][] = [];
    clock.setTimer(() => fired.push(["a", clock.now() - START]), 1_000);
    clock.setTimer(() => fired.push(["b", clock.now() - START]), 2_000);
    clock.setTimer(() => fired.push(["ahead", clock.now() - START]), 10_000);

    await clock.jump(5_000);

    expect(fired).toEqual([
      ["a", 5_000],
      ["b", 5_000],
    ]);
    expect(clock.pendingTimers()).toBe(1);
    await clock.flush();
    expect(fired).toHaveLength(2);
  });

  it("clearTimer cancels a timer, and clearing twice or a foreign handle does nothing", async () => {
    const clock = createManualClock(START);
    const fired: string[] = [];
    const handle = clock.setTimer(() => fired.push("cleared"), 100);
    clock.setTimer(() => fired.push("kept"), 100);
    clock.clearTimer(handle);
    clock.clearTimer(handle);
    clock.clearTimer({});

    await clock.advance(200);

    expect(fired).toEqual(["kept"]);
  });

  it("a callback can clear a timer that is due later in the same advance", async () => {
    const clock = createManualClock(START);
    const fired: string[] = [];
    let victim: TimerHandle | undefined;
    clock.setTimer(() => {
      fired.push("first");
      if (victim) clock.clearTimer(victim);
    }, 100);
    victim = clock.setTimer(() => fired.push("victim"), 200);

    await clock.advance(300);

    expect(fired).toEqual(["first"]);
  });

  it("set moves time forward without firing; flush then fires what is due", async () => {
    const clock = createManualClock(START);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now() - START), 100);

    clock.set(START + 1_000);
    expect(fired).toEqual([]);
    await clock.flush();
    expect(fired).toEqual([1_000]);

    expect(() => clock.set(START)).toThrow(RangeError);
    expect(() => clock.set(new Date(START + 2_000))).not.toThrow();
    expect(clock.now()).toBe(START + 2_000);
  });

  it("refuses to move backwards or twice at once", async () => {
    const clock = createManualClock(START);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    await expect(clock.jump(Number.NaN)).rejects.toThrow(RangeError);

    const first = clock.advance(10);
    await expect(clock.advance(10)).rejects.toThrow(/already moving/);
    await first;
    expect(clock.now()).toBe(START + 10);
  });

  it("surfaces an error thrown by a callback and stays usable", async () => {
    const clock = createManualClock(START);
    clock.setTimer(() => {
      throw new Error("boom");
    }, 10);
    await expect(clock.advance(100)).rejects.toThrow("boom");
    await clock.advance(100);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("tells when the earliest pending timer falls due", async () => {
    const clock = createManualClock(START);
    expect(clock.nextTimerAt()).toBeUndefined();
    const later = clock.setTimer(() => {}, 500);
    clock.setTimer(() => {}, 200);
    expect(clock.nextTimerAt()).toBe(START + 200);
    await clock.advance(300);
    expect(clock.nextTimerAt()).toBe(START + 500);
    clock.clearTimer(later);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it("caps delays the way the system clock does", async () => {
    const clock = createManualClock(START);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now() - START), 40 * 24 * 3_600_000);
    await clock.advance(2 ** 31 - 1);
    expect(fired).toEqual([2 ** 31 - 1]);
  });
});

describe("systemClock", () => {
  const handles: TimerHandle[] = [];
  afterEach(() => {
    for (const handle of handles.splice(0)) systemClock.clearTimer(handle);
  });

  it("reads the real time", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it("fires a real timer, and clearTimer stops one", async () => {
    let cleared = false;
    const handle = systemClock.setTimer(() => {
      cleared = true;
    }, 0);
    systemClock.clearTimer(handle);
    await new Promise<void>((resolve) => handles.push(systemClock.setTimer(resolve, 1)));
    expect(cleared).toBe(false);
  });

  it("keeps timers ref'd and accepts delays beyond Node's limit without firing early", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      let fired = false;
      const handle = systemClock.setTimer(
        () => {
          fired = true;
        },
        40 * 24 * 3_600_000,
      );
      handles.push(handle);
      expect((handle as ReturnType<typeof setTimeout>).hasRef()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fired).toBe(false);
      expect(warnings.filter((warning) => warning.name === "TimeoutOverflowWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
