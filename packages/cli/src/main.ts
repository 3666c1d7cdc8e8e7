import { defineCommand } from "citty";

declare const __SIMPLEBACKUP_VERSION__: string;

export const main = defineCommand({
  meta: {
    name: "simplebackup",
    version: __SIMPLEBACKUP_VERSION__,
    description: "Run restic backups on schedules",
  },
  // Each subcommand is imported only when used, so `--version` and `--help` start fast.
  subCommands: {
    backup: () => import("./commands/backup.js").then((m) => m.default),
    validate: () => import("./commands/validate.js").then((m) => m.default),
    snapshots: () => import("./commands/snapshots.js").then((m) => m.default),
  },
});
