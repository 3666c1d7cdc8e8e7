import { defineCommand } from "./args/define-command.js";

declare const __SIMPLEBACKUP_VERSION__: string;

export const main = defineCommand({
  meta: {
    name: "simplebackup",
    version: __SIMPLEBACKUP_VERSION__,
    description: "Run restic backups on schedules",
  },
  // Each subcommand is imported only when used, so `--version` and `--help` start fast.
  // Plain `simplebackup` (and `simplebackup --backup-on-start`) runs the daemon, as the original tool did;
  // a first argument that is not a flag must name a command (args/dispatch.ts).
  default: "run",
  subCommands: {
    run: () => import("./commands/run.js").then((m) => m.default),
    status: () => import("./commands/status.js").then((m) => m.default),
    restore: () => import("./commands/restore.js").then((m) => m.default),
    "restore-db": () => import("./commands/restore-db.js").then((m) => m.default),
    check: () => import("./commands/check.js").then((m) => m.default),
    drill: () => import("./commands/drill.js").then((m) => m.default),
    forget: () => import("./commands/forget.js").then((m) => m.default),
    unlock: () => import("./commands/unlock.js").then((m) => m.default),
    schema: () => import("./commands/schema.js").then((m) => m.default),
    init: () => import("./commands/init.js").then((m) => m.default),
    "install-service": () => import("./commands/install-service.js").then((m) => m.default),
    "uninstall-service": () => import("./commands/uninstall-service.js").then((m) => m.default),
    backup: () => import("./commands/backup.js").then((m) => m.default),
    validate: () => import("./commands/validate.js").then((m) => m.default),
    snapshots: () => import("./commands/snapshots.js").then((m) => m.default),
    ui: () => import("./commands/ui.js").then((m) => m.default),
  },
});
