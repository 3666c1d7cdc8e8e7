import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { command } from "../src/index.js";
import { sampleEvents } from "./helpers/events.js";
import { createRecordingScript, createTempDir } from "./helpers/fake-programs.js";

let temp: ReturnType<typeof createTempDir>;
beforeEach(() => {
  temp = createTempDir();
});
afterEach(() => temp.dispose());

const events = sampleEvents();
const node = (code: string) => ({ command: process.execPath, args: ["-e", code] });

describe("command", () => {
  it("hands the program the event and its message as JSON on stdin, and SIMPLEBACKUP_* variables", async () => {
    const script = createRecordingScript(temp.path);
    await command({ command: process.execPath, args: [script.script], env: { API_TOKEN: "t" } }).notify(
      events.destinationFull,
    );
    const [call] = script.received();
    expect(call?.stdin.event).toMatchObject({ type: "failure", code: "DESTINATION_FULL", job: "Photos" });
    expect(call?.stdin.notification.title).toBe("Photos: backup failed: Destination full");
    expect(call?.env).toEqual({
      event: "failure",
      job: "Photos",
      title: "Photos: backup failed: Destination full",
      token: "t",
    });
  });

  it("names a copy event's target in SIMPLEBACKUP_TARGET", async () => {
    const script = createRecordingScript(temp.path);
    await command({ command: process.execPath, args: [script.script] }).notify(events["copy-failed"]);
    expect(script.received()[0]?.env).toMatchObject({
      event: "copy-failed",
      job: "Photos",
      target: "offsite",
    });
  });

  it("fails with the exit code and the end of stderr", async () => {
    const notifier = command({
      ...node("console.error('no route to chat server'); process.exit(4)"),
      name: "chat",
    });
    await expect(notifier.notify(events.failure)).rejects.toThrow(
      "chat exited with code 4: no route to chat server",
    );
  });

  it("kills a program that outlasts its timeout", async () => {
    const notifier = command({ ...node("setTimeout(() => {}, 60_000)"), timeoutMs: 200 });
    const started = Date.now();
    await expect(notifier.notify(events.failure)).rejects.toThrow(
      "command node was stopped: it ran longer than 200 ms",
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops when the hub's signal aborts", async () => {
    const controller = new AbortController();
    const pending = command(node("setTimeout(() => {}, 60_000)")).notify(events.failure, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow("command node was stopped: the hub gave up on it");
  });

  it("survives a program that exits without reading stdin", async () => {
    // A large event makes the write outlast the program: the pipe breaks (EPIPE), which must not crash.
    const big = {
      ...events.partial,
      unreadable: Array.from({ length: 20_000 }, (_, i) => ({ path: `/p/${i}`, message: "x".repeat(20) })),
    };
    await expect(command(node("process.exit(0)")).notify(big)).resolves.toBeUndefined();
  });

  it("reports a program that does not exist", async () => {
    await expect(command({ command: "/nonexistent/notify" }).notify(events.failure)).rejects.toThrow(
      /could not run: .*ENOENT/,
    );
  });
});
