import { describe, expect, it } from "vitest";
import { withInterrupt } from "../src/interrupt.js";

describe("withInterrupt", () => {
  // Each test injects the exit: the real one would end the test process.
  it("aborts the work on SIGTERM and says it was interrupted", async () => {
    const exits: string[] = [];
    const outcome = await withInterrupt(
      async (signal) => {
        process.emit("SIGTERM", "SIGTERM");
        return signal.aborted;
      },
      { afterMs: 20, exit: (message) => exits.push(message) },
    );
    expect(outcome).toEqual({ result: true, interrupted: true });
  });

  it("exits anyway when the work has not ended in time after the signal", async () => {
    const exits: string[] = [];
    let finish = () => {};
    const outcome = withInterrupt(
      (signal) =>
        new Promise<string>((resolve) => {
          finish = () => resolve("ended late");
          // Work that ignores the abort, such as a hook that does not stop.
          process.emit("SIGINT", "SIGINT");
          expect(signal.aborted).toBe(true);
        }),
      { afterMs: 20, exit: (message) => exits.push(message) },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(exits).toEqual([
      "simplebackup: still stopping 0s after SIGINT; exiting now (the next run removes a lock restic may have left)",
    ]);
    finish();
    expect(await outcome).toEqual({ result: "ended late", interrupted: true });
  });

  it("arms no exit without a signal", async () => {
    const exits: string[] = [];
    await withInterrupt(async () => "done", { afterMs: 1, exit: (message) => exits.push(message) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exits).toEqual([]);
  });
});
