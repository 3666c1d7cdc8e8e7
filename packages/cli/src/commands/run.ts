import { homedir } from "node:os";
import {
  BackupScheduler,
  loadConfigFile,
  locateConfigFile,
  SCHEDULER_EVENT_TYPES,
  type SchedulerEvent,
} from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { configArg } from "../load-config.js";
import { checkNotifications, createConfigNotifierHub } from "../notifications.js";
import { formatEventLine } from "../render/event-line.js";
import { plural } from "../render/format.js";
import { describeProgressLine } from "../render/human-reporter.js";
import { printJsonLine } from "../render/json.js";

export default defineCommand({
  meta: { name: "run", description: "Run the daemon: back up every job on its schedule until stopped" },
  args: {
    ...configArg,
    "backup-on-start": { type: "boolean", description: "Run every job once at start" },
    json: { type: "boolean", description: "Print one JSON event per line" },
  },
  async run({ args }) {
    const location = locateConfigFile({
      explicit: args.config,
      env: process.env,
      cwd: process.cwd(),
      platform: process.platform,
      homedir: homedir(),
    });
    console.error(`config: ${location.path}`);
    // Checked before the daemon starts: a broken notifier option is a config mistake (exit 2).
    const config = await loadConfigFile(location.path);
    await checkNotifications(config);
    let hub = await createConfigNotifierHub(config);
    const scheduler = new BackupScheduler({
      configPath: location.path,
      backupOnStart: args["backup-on-start"],
    });
    hub?.attach(scheduler);
    // Notifier changes apply live like the rest of the config; a broken one keeps the current hub.
    scheduler.on("config-reloaded", () => {
      void (async () => {
        const next = await loadConfigFile(location.path);
        await checkNotifications(next);
        const nextHub = await createConfigNotifierHub(next);
        const previous = hub;
        hub = nextHub;
        nextHub?.attach(scheduler);
        await previous?.close({ timeoutMs: 10_000 });
      })().catch((error: unknown) => {
        console.error(`notifiers not reloaded, the previous ones stay: ${(error as Error).message}`);
      });
    });
    const print = args.json ? printJsonLine : createLinePrinter(process.stdout);
    // With --json, stdout is the event stream alone; the daemon's own lines are for people: stderr.
    const say = args.json ? console.error : console.log;
    for (const type of SCHEDULER_EVENT_TYPES) scheduler.on(type, (event: SchedulerEvent) => print(event));

    await scheduler.start();
    const jobs = scheduler.status();
    say(
      `simplebackup daemon running (PID ${process.pid}) with ${plural(jobs.length, "job")}; stop with Ctrl-C`,
    );

    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        say(`${signal} received: stopping; running backups are interrupted cleanly`);
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        scheduler
          .stop({ timeoutMs: 8_000 })
          .then(() => hub?.close({ timeoutMs: 1_500 }))
          .then(resolve, resolve);
      };
      const onInt = () => shutdown("SIGINT");
      const onTerm = () => shutdown("SIGTERM");
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
    });
    say("simplebackup daemon stopped");
    // A restic still finishing its cleanup after the stop timeout would hold the process open through
    // its pipes; it removes its own lock without us.
    process.exit(0);
  },
});

/** One line per event; on a terminal, progress redraws a single status line below them. */
function createLinePrinter(out: NodeJS.WriteStream): (event: SchedulerEvent) => void {
  let progressShown = false;
  return (event) => {
    if (event.type === "progress") {
      if (!out.isTTY) return;
      out.write(`\r\x1b[2K${describeProgressLine(event)}`);
      progressShown = true;
      return;
    }
    const line = formatEventLine(event);
    if (line === undefined) return;
    if (progressShown) out.write("\r\x1b[2K");
    progressShown = false;
    out.write(`${line}\n`);
  };
}
