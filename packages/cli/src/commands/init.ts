import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { CONFIG_SCHEMA_URL } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { EXIT } from "../report-error.js";

export default defineCommand({
  meta: { name: "init", description: "Write a commented starter config; never overwrites a file" },
  args: {
    file: {
      type: "positional",
      required: false,
      default: "backup_config.json",
      description: "Where to write it",
      valueHint: "FILE",
    },
    schema: {
      type: "string",
      description: `What "$schema" points at: a URL, or a path relative to the new file (default: ${CONFIG_SCHEMA_URL})`,
      valueHint: "URL",
    },
  },
  async run({ args }) {
    const file = path.resolve(args.file);
    const text = renderStarterConfig({ schema: args.schema ?? CONFIG_SCHEMA_URL });
    try {
      await mkdir(path.dirname(file), { recursive: true });
      // "wx" fails when the file exists, in the same step as creating it: nothing is ever overwritten.
      await writeFile(file, text, { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      console.error(
        `${file} already exists; init never overwrites a file. Pick another name, or edit that one.`,
      );
      process.exitCode = EXIT.failed;
      return;
    }
    const shown = path.relative(process.cwd(), file) || file;
    const flag =
      path.basename(file) === "backup_config.json" && path.dirname(file) === process.cwd()
        ? ""
        : ` --config ${shown.includes(" ") ? JSON.stringify(shown) : shown}`;
    console.log(`Wrote ${file}. Next:`);
    console.log("  1. edit it: sources, destination and the password file (the comments say how)");
    console.log(`  2. simplebackup validate${flag}          check it, and what a backup needs`);
    console.log(`  3. simplebackup backup${flag}            first backup; creates the repository`);
    console.log(`  4. simplebackup install-service${flag}   back up on schedule from login on`);
  },
});

/** The starter config: one job, every line explained. JSON with comments, which the loader accepts. */
function renderStarterConfig(options: { schema: string }): string {
  return `{
  // Editors complete and check this file against its JSON Schema.
  "$schema": ${JSON.stringify(options.schema)},

  // Every key is described in docs/configuration.md (or run \`simplebackup schema\`).
  // \`simplebackup validate\` checks this file and names each problem, then warns about what a run
  // would miss: the password file, the sources, the destination's folder, and restic itself, which
  // must be installed: sudo apt-get install restic, brew install restic, winget install restic.restic
  // (or set "restic_binary" to its path).
  "backupjobs": [
    {
      // A unique name. Snapshots are tagged simplebackup:<jobname>.
      "jobname": "Documents",

      // Files and folders to back up. Relative paths are relative to this file's folder; ~/ is your home.
      // Each must exist when a backup runs: correct the path, or mount the drive it is on.
      "sources": ["~/Documents"],
      "exclude_patterns": ["**/node_modules", "**/.cache", "**/*.tmp"],

      // The restic repository: a folder (an external drive, a NAS mount) or a backend URL such as
      // "sftp:me@nas.local:/srv/restic/laptop". The first backup creates it, but only inside a folder
      // that exists (so an unmounted drive is never mistaken for an empty one): mount the drive first.
      "destination": "~/restic-repo",

      // Exactly one of password, password_file, password_command, password_env. A file only you can
      // read keeps the password out of this one: create it with
      //   mkdir -p ~/.config/simplebackup && (umask 077; openssl rand -base64 24 > ~/.config/simplebackup/documents.pass)
      // (or chmod 600 it, if others can read it) and keep a copy elsewhere: without it the backups
      // cannot be restored.
      "password_file": "~/.config/simplebackup/documents.pass",

      // When to back up, as cron: minute hour day month weekday. Every day at 02:00:
      "backup_interval": "0 2 * * *",
      // Missed because the machine was off or asleep? Run once as soon as it is back.
      "catch_up": true,

      // Which snapshots to keep; older ones are removed after each backup. Leave it out to keep all.
      "retention": { "days": 7, "weeks": 4, "months": 6, "years": 1 }

      /* More keys: "env" for backend credentials, "hooks" for commands around each run (a database
         dump before it), "retry", "tags", "timezone", "jitter". See docs/configuration.md. */
    }
  ]
}
`;
}
