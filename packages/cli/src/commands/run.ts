import { homedir } from "node:os";
import { formatLocalTime, locateConfigFile, plural, type SchedulerEvent } from "@simplebackup/core";
import { createDaemon, type Daemon } from "@simplebackup/daemon";
import type { DashboardServer } from "@simplebackup/web";
import { defineCommand } from "../args/define-command.js";
import { configArg } from "../load-config.js";
import { importModule } from "../module-import.js";
import { stderrLogger } from "../notifications.js";
import { formatEventLine } from "../render/event-line.js";
import { describeProgressLine } from "../render/human-reporter.js";
import { printJsonLine } from "../render/json.js";

export default defineCommand({
  meta: { name: "run", description: "Run the daemon: back up every job on its schedule until stopped" },
  args: {
    ...configArg,
    "backup-on-start": { type: "boolean", description: "Run every job once at start" },
    json: { type: "boolean", description: "Print one JSON event per line" },
    ui: { type: "boolean", description: "Serve the dashboard (also when the config has a ui key)" },
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
    // The daemon checks the notifier options with the rest of the config: a broken one is a config
    // mistake (exit 2) at start, and a rejected edit (config-invalid, the running config stays) later.
    const daemon = createDaemon({
      configPath: location.path,
      backupOnStart: args["backup-on-start"],
      logger: stderrLogger,
      ...(importModule ? { importModule } : {}),
    });
    const print = args.json ? printJsonLine : createLinePrinter(process.stdout);
    // With --json, stdout is the event stream alone; the daemon's own lines are for people: stderr.
    const say = args.json ? console.error : console.log;
    daemon.subscribe(print);

    await daemon.start();
    const { jobs } = daemon.status();
    say(
      `simplebackup daemon running (PID ${process.pid}) with ${plural(jobs.length, "job")}; stop with Ctrl-C`,
    );
    const dashboard = await startDashboard(daemon, args.ui === true, say);

    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        say(`${signal} received: stopping; running backups are interrupted cleanly`);
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        Promise.resolve(dashboard?.close())
          .then(() => daemon.stop({ timeoutMs: 8_000, notifyTimeoutMs: 1_500 }))
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

/**
 * The dashboard, when asked for by --ui or the config's `ui` key. Loaded only then: hono and the
 * server are not evaluated for a daemon without it. A refused address (DASHBOARD_LISTEN_UNSAFE, …)
 * stops the daemon and exits 2, as a config mistake does.
 */
async function startDashboard(
  daemon: Daemon,
  asked: boolean,
  say: (line: string) => void,
): Promise<DashboardServer | undefined> {
  const ui = daemon.scheduler.config?.ui;
  const stateDir = daemon.status().stateDir;
  if ((!asked && !ui) || stateDir === undefined) return undefined;
  const { createDashboardServer, describeAuditEntry, isDashboardError } = await import("@simplebackup/web");
  try {
    const server = await createDashboardServer(daemon, {
      stateDir,
      // Who logged in, changed something or downloaded backed-up data, among the daemon's lines.
      audit: (entry) => say(`${formatLocalTime(entry.at)} ${describeAuditEntry(entry)}`),
      ...(ui ? { listen: ui.listen, insecureHttp: ui.insecureHttp, users: ui.users, hosts: ui.hosts } : {}),
      ...(ui?.tls ? { tls: ui.tls } : {}),
    });
    say(`dashboard: ${server.url} (\`simplebackup ui\` prints a login link)`);
    return server;
  } catch (error) {
    if (!isDashboardError(error)) throw error;
    console.error(`error [${error.code}]: ${error.message}`);
    await daemon.stop({ timeoutMs: 8_000, notifyTimeoutMs: 1_500 });
    process.exit(2);
  }
}

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
