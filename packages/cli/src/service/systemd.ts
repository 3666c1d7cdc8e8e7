import { quoteSystemdArg, quoteSystemdEnvironment } from "./quote.js";
import { SERVICE_DESCRIPTION, type ServiceCommand, serviceArgs } from "./types.js";

export const SYSTEMD_UNIT_NAME = "simplebackup.service";

/**
 * A systemd user unit that runs the daemon from login (or from boot with `loginctl enable-linger`) and
 * restarts it when it fails. systemd stops it with SIGTERM, on which running backups stop cleanly.
 */
export function renderSystemdUnit(command: ServiceCommand): string {
  const exec = [command.node, ...serviceArgs(command)].map(quoteSystemdArg).join(" ");
  const environment = Object.entries(command.env ?? {}).map(
    ([name, value]) => `Environment=${quoteSystemdEnvironment(name, value)}`,
  );
  return [
    "# Written by `simplebackup install-service`; remove it with `simplebackup uninstall-service`.",
    "[Unit]",
    `Description=${SERVICE_DESCRIPTION}`,
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${exec}`,
    ...environment,
    "Restart=on-failure",
    "RestartSec=30",
    // On SIGTERM the daemon interrupts running backups and waits up to 8 s: restic gets SIGINT, SIGTERM
    // after 3 s and SIGKILL after 5 s (a repository it cannot reach keeps it retrying), then `restic
    // unlock` at most 3 s. Well within this limit; a lock left behind is removed by the next run.
    "TimeoutStopSec=30",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}
