// The real node-notifier, driving a recording notify-send put first on PATH. node-notifier finds
// notify-send with `which` (reads PATH) and runs it through /bin/sh (reads PATH again), so the fake is
// what both find; no notify-send is installed on the test machines, so nothing else could answer.
import { x } from "tinyexec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desktop } from "../src/desktop/index.js";
import { createNotifierHub } from "../src/index.js";
import { sampleEvents } from "./helpers/events.js";
import { createRecordingNotifySend, createTempDir } from "./helpers/fake-programs.js";

let temp: ReturnType<typeof createTempDir>;
let notifySend: ReturnType<typeof createRecordingNotifySend>;
let savedPath: string | undefined;

beforeAll(() => {
  temp = createTempDir();
  notifySend = createRecordingNotifySend(temp.path);
  savedPath = process.env.PATH;
  process.env.PATH = `${temp.path}:${process.env.PATH}`;
});

afterAll(() => {
  process.env.PATH = savedPath;
  temp.dispose();
});

const events = sampleEvents();

describe.runIf(process.platform === "linux")("desktop (node-notifier → notify-send)", () => {
  it("shows the title and message, critical for a failure", async () => {
    await desktop().notify(events.destinationFull);
    const [argv] = notifySend.calls().slice(-1);
    expect(argv?.[0]).toBe("Photos: backup failed: Destination full");
    // node-notifier writes newlines in the message as the two characters \n for notify-send.
    expect(argv?.[1]?.split("\\n")[0]).toBe("Destination full: /mnt/backup has no space left");
    expect(argv).toEqual(expect.arrayContaining(["--urgency", "critical"]));
  });

  it("reaches notify-send through the hub, with the success numbers when asked for success", async () => {
    const before = notifySend.calls().length;
    const hub = createNotifierHub({ notifiers: [desktop({ on: ["success"] })] });
    hub.dispatch(events.failure);
    hub.dispatch(events.success);
    await hub.close();
    const calls = notifySend.calls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe("Photos: backup succeeded");
    expect(calls[0]?.[1]).toContain("1,234 files processed");
    expect(calls[0]).toEqual(expect.arrayContaining(["--urgency", "normal"]));
  });

  it("rejects when notify-send fails, so the hub can log and retry", async () => {
    notifySend.fail(true);
    try {
      await expect(desktop().notify(events.failure)).rejects.toThrow(/failing as asked/);
    } finally {
      notifySend.fail(false);
    }
  });
});

describe.runIf(process.platform === "linux")("@simplebackup/notifier/desktop (the built subpath)", () => {
  // A fresh process: node-notifier remembers a failed lookup of notify-send for the life of one.
  const script = `
    import { desktop } from "@simplebackup/notifier/desktop";
    try { await desktop().notify(${JSON.stringify(events.failure)}); console.log("shown"); }
    catch (error) { console.log("failed: " + error.message); }`;
  const run = (path: string) =>
    x(process.execPath, ["--input-type=module", "-e", script], {
      nodeOptions: { cwd: import.meta.dirname, env: { PATH: path } },
      nodePath: false,
    });

  it("fails plainly where no notify-send is on PATH", async () => {
    const { stdout } = await run("/usr/bin:/bin");
    expect(stdout.trim()).toMatch(/^failed: .*notify-send/);
  });

  it("shows the notification through the recording notify-send", async () => {
    const before = notifySend.calls().length;
    const { stdout } = await run(`${temp.path}:/usr/bin:/bin`);
    expect(stdout.trim()).toBe("shown");
    expect(notifySend.calls().slice(before)[0]?.[0]).toBe("Photos: backup failed: Repository locked");
  });
});
