import * as z from "zod";
import { describeCronProblem } from "../cron/cron.js";
import {
  DURATION_FORMAT,
  describeDurationProblem,
  describeKeepWithinProblem,
  KEEP_WITHIN,
  KEEP_WITHIN_FORMAT,
} from "./duration.js";
import { expected } from "./problems.js";
import { describeTimeZoneProblem, TIME_ZONE_FORMAT } from "./time-zone.js";

/**
 * The config file as a user writes it. This is the single source of truth: the TypeScript type, the
 * JSON Schema for editors and the config reference are all generated from it, so every key carries a
 * description and every check carries a message that says what is expected.
 *
 * Rules that span several keys (exactly one password source, unique job names) cannot be written as a
 * plain object tree; load.ts checks them and the descriptions below state them.
 */

const NON_EMPTY_PATH = "a non-empty path";

const path = (what: string) => z.string(expected(what)).min(1, expected(what));

const wholeNumber = (description: string) => {
  const rule = expected("a whole number ≥ 0");
  return z.number(rule).int(rule).min(0, rule).optional().describe(description);
};

const noComma = /^[^,]+$/;

function formatProblem(
  what: string,
  describe: (value: unknown) => string | undefined,
  issue: z.core.$ZodRawIssue,
): string | undefined {
  return issue.input === undefined ? `missing; expected ${what}` : describe(issue.input);
}

/**
 * A string in a format that `describe` checks: its message names the format and, when it can tell,
 * the value that was meant (`"2 days"` → `"2d"`), for a wrong type as for a wrong string.
 */
const formatted = (what: string, describe: (value: unknown) => string | undefined) =>
  z.string({ error: (issue) => formatProblem(what, describe, issue) }).superRefine((text, context) => {
    const problem = describe(text);
    if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
  });

const durationText = () => formatted(DURATION_FORMAT, describeDurationProblem);

const duration = (description: string) => durationText().optional().describe(description);

const positiveWhole = (description: string) => {
  const rule = expected("a whole number ≥ 1");
  return z.number(rule).int(rule).min(1, rule).optional().describe(description);
};

const boolean = (description: string) =>
  z.boolean(expected("true or false")).optional().describe(description);

const notifierEntrySchema = z
  .looseObject(
    {
      type: z
        .string(
          expected(
            'a built-in notifier name such as "desktop", "webhook", "ntfy", "healthchecks" or "command"',
          ),
        )
        .optional()
        .describe("A built-in notifier: desktop, webhook, ntfy, healthchecks or command."),
      module: z
        .string(expected("a path to a plugin module, or a package name"))
        .min(1, expected("a path to a plugin module, or a package name"))
        .optional()
        .describe("A notifier plugin: a path (relative to the config file's folder) or a package name."),
      on: z
        .array(z.string(expected("an event type")), expected("an array of event types"))
        .optional()
        .describe(
          'Which events it hears, e.g. ["failure", "success"]. Default: failure, partial, retries-exhausted, config-invalid, stale, recovered.',
        ),
    },
    expected('a notifier object such as {"type": "desktop"}'),
  )
  .refine((entry) => (entry.type === undefined) !== (entry.module === undefined), {
    message: "set exactly one of type (a built-in notifier) or module (a plugin)",
  })
  .describe("One notifier. Its other keys are its options, checked by the notifier itself.");

const notificationsSchema = z.array(notifierEntrySchema, expected("an array of notifiers")).optional();

const CRON = 'a cron expression such as "0 4 * * 0"';

const cronField = (description: string) =>
  z
    .string(expected(CRON))
    .min(1, expected(CRON))
    .superRefine((expression, context) => {
      if (expression === "") return;
      const problem = describeCronProblem(expression);
      if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
    })
    .optional()
    .describe(description);

const hookCommand = (when: string) =>
  z
    .string(expected("a shell command"))
    .min(1, expected("a non-empty shell command"))
    .optional()
    .describe(`A shell command run ${when}.`);

const hooksSchema = z
  .strictObject(
    {
      before: hookCommand(
        "before the backup. If it fails the run fails; if it exits 75 the run is skipped quietly (a drive that is not plugged in)",
      ),
      after: hookCommand("after every run, whatever its result"),
      on_success: hookCommand("after a successful or partial backup"),
      on_failure: hookCommand("after a failed backup"),
      timeout: duration("How long a hook may run before it is stopped. Default: 5m."),
    },
    expected("an object with before, after, on_success, on_failure and timeout"),
  )
  .optional()
  .describe(
    "Commands run around each backup. They get SIMPLEBACKUP_JOB, SIMPLEBACKUP_RUN_ID, SIMPLEBACKUP_STATUS, " +
      "SIMPLEBACKUP_SNAPSHOT_ID and the run's numbers in their environment, never the password.",
  );

const retrySchema = z
  .strictObject(
    {
      attempts: positiveWhole("Attempts per scheduled run, the first included; 1 never retries. Default: 4."),
      delays: z
        .array(durationText(), expected("an array of durations"))
        .min(1, expected("at least one duration"))
        .optional()
        .describe('Waits before attempt 2, 3, …; the last repeats. Default: ["1m", "5m", "15m"].'),
      backoff: z
        .strictObject(
          {
            initial: durationText().describe("The first wait."),
            factor: z
              .number(expected("a number ≥ 1"))
              .min(1, expected("a number ≥ 1"))
              .optional()
              .describe("Each wait is the previous one times this. Default: 2."),
            max: durationText().describe("No wait is longer than this."),
          },
          expected("an object with initial, factor and max"),
        )
        .optional()
        .describe("Exponential waits instead of a list of delays."),
    },
    expected("an object with attempts and delays or backoff"),
  )
  .refine((retry) => !(retry.delays && retry.backoff), {
    message: "set either delays or backoff, not both",
  })
  .optional()
  .describe(
    "How a failed run is retried. Only transient failures are retried (a locked repository, an unreachable " +
      "server, an unknown error); a wrong password or a full disk is reported once.",
  );

/** The four ways to give the repository password; a job sets exactly one. */
export const passwordKeys = ["password", "password_file", "password_command", "password_env"] as const;

const PASSWORD_RULE = "Set exactly one of password, password_file, password_command, password_env.";

const retentionSchema = z
  .strictObject(
    {
      hours: wholeNumber("Keep the last snapshot of each of this many hours (restic --keep-hourly)."),
      days: wholeNumber("Keep the last snapshot of each of this many days (restic --keep-daily)."),
      weeks: wholeNumber("Keep the last snapshot of each of this many weeks (restic --keep-weekly)."),
      months: wholeNumber("Keep the last snapshot of each of this many months (restic --keep-monthly)."),
      years: wholeNumber("Keep the last snapshot of each of this many years (restic --keep-yearly)."),
      last: wholeNumber("Keep this many most recent snapshots (restic --keep-last)."),
      within: z
        .string({ error: (issue) => formatProblem(KEEP_WITHIN_FORMAT, describeKeepWithinProblem, issue) })
        // A regex rather than formatted(): the generated JSON Schema keeps it as a `pattern` editors check.
        .regex(KEEP_WITHIN, { error: (issue) => describeKeepWithinProblem(issue.input) })
        .optional()
        .describe('Keep every snapshot newer than this duration, e.g. "2y5m7d3h" (restic --keep-within).'),
    },
    expected("an object of keep rules (hours, days, weeks, months, years, last, within)"),
  )
  .optional()
  .describe(
    "Which snapshots to keep; older ones are removed with restic forget --prune after each backup. " +
      "Leave it out to keep every snapshot.",
  );

const jobSchema = z
  .strictObject(
    {
      jobname: z
        .string(expected("a non-empty job name"))
        .regex(
          noComma,
          expected('a non-empty job name without "," (it becomes the restic tag simplebackup:<jobname>)'),
        )
        .describe(
          "Name of the job, unique in the file. Snapshots are tagged simplebackup:<jobname>, so it may not contain a comma.",
        ),
      sources: z
        .array(path(NON_EMPTY_PATH), expected("a non-empty array of file or folder paths"))
        .min(1, expected("a non-empty array of file or folder paths"))
        .describe(
          "Files and folders to back up. Relative paths are relative to the config file's folder; ~/ is the home folder.",
        ),
      destination: path(
        "a restic repository: a folder path or a backend URL such as sftp:user@host:/srv/restic",
      ).describe(
        "The restic repository: a local folder (relative to the config file's folder) or a backend URL " +
          "(sftp:, rest:, s3:, b2:, azure:, gs:, swift:, rclone:, local:).",
      ),
      password: z
        .string(expected("the repository password"))
        .min(1, expected("a non-empty repository password"))
        .optional()
        .describe(`The repository password, written in this file. ${PASSWORD_RULE}`),
      password_file: path("a path to a file holding the repository password")
        .optional()
        .describe(`A file holding the repository password (restic --password-file). ${PASSWORD_RULE}`),
      password_command: z
        .string(expected("a command that prints the repository password"))
        .min(1, expected("a non-empty command that prints the repository password"))
        .optional()
        .describe(
          `A command that prints the repository password (restic --password-command). ${PASSWORD_RULE}`,
        ),
      password_env: z
        .string(expected("the name of an environment variable holding the repository password"))
        .regex(/^[^=\0]+$/, expected("the name of an environment variable holding the repository password"))
        .optional()
        .describe(`The name of an environment variable holding the repository password. ${PASSWORD_RULE}`),
      backup_interval: z
        .string(expected('a cron expression such as "0 2 * * *"'))
        .min(1, expected('a cron expression such as "0 2 * * *"'))
        .superRefine((expression, context) => {
          if (expression === "") return; // min(1) has said it
          const problem = describeCronProblem(expression);
          if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
        })
        .describe(
          'When to back up, as a cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first. "0 2 * * *" is every day at 02:00.',
        ),
      exclude_patterns: z
        .array(
          z.string(expected("a non-empty pattern")).min(1, expected("a non-empty pattern")),
          expected("an array of exclude patterns"),
        )
        .optional()
        .describe('Patterns of files to skip (restic --exclude), e.g. "**/node_modules". Default: none.'),
      skip_if_unchanged: boolean(
        `Make no new snapshot when nothing changed since the job's last one (restic backup --skip-if-unchanged, restic 0.17 or later; validate and every run refuse it on an older restic). The run still succeeds, says "no changes, no new snapshot", and applies the retention: the last snapshot holds exactly what a new one would. restic compares the whole tree, the folders above each source included, so a file created or removed next to a source (in its parent folder) counts as a change. It compares with the job's own last snapshot (restic --group-by host,paths,tags), so after a change of the job's tags the next run reads every file again. Default: the top-level value, else false.`,
      ),
      retention: retentionSchema,
      env: z
        .record(z.string().regex(/^[^=\0]+$/), z.string(expected("a string value (quote numbers)")), {
          error: (issue: z.core.$ZodRawIssue) =>
            issue.code === "invalid_key"
              ? 'not a valid environment variable name (it must be non-empty and contain no "=")'
              : expected("an object of environment variable names to string values").error(issue),
        })
        .optional()
        .describe(
          "Extra environment variables for restic, such as backend credentials (AWS_ACCESS_KEY_ID, B2_ACCOUNT_KEY).",
        ),
      tags: z
        .array(
          z
            .string(expected("a non-empty tag"))
            .regex(
              /^(?!simplebackup:)[^,]+$/,
              expected(
                'a non-empty tag without "," that does not start with "simplebackup:" (kept for job tags)',
              ),
            ),
          expected("an array of tags"),
        )
        .optional()
        .describe("Extra restic tags for this job's snapshots. Default: none."),
      timezone: formatted(TIME_ZONE_FORMAT, describeTimeZoneProblem)
        .optional()
        .describe("Time zone of backup_interval, e.g. Europe/Berlin. Default: the machine's local time."),
      catch_up: boolean(
        "When a scheduled run was missed (the machine was off or asleep), run once as soon as possible. Default: true.",
      ),
      jitter: duration(
        "Start each scheduled run up to this much later, by a delay fixed per job, so many machines do not start at once.",
      ),
      backup_on_start: boolean("Run this job once when the daemon starts. Default: false."),
      allow_empty_sources: boolean(
        "Back up a source folder that is empty although the job's previous snapshot held files under it. Off, such a run fails with SOURCE_EMPTY (the mount point of an unplugged drive looks just like that) and retention keeps the old snapshots. Default: false.",
      ),
      retry: retrySchema,
      stale_lock_after: duration(
        "A repository lock older than this is stale and removed with restic unlock. Default: the top-level value, else 1h.",
      ),
      backend_unreachable_after: duration(
        "How long restic may retry one failing request to this job's repository before simplebackup stops it and the run fails as BACKEND_UNAVAILABLE, which the retry policy retries. Default: the top-level value, else 45s.",
      ),
      check_interval: cronField(
        'When the daemon checks the repository (restic check), e.g. "0 4 * * 0". Each check also reads one group of the data packs, rotating, so check_read_data_groups checks read it all.',
      ),
      check_read_data_groups: positiveWhole(
        "Into how many groups scheduled checks split the data packs; each check reads the next group. Default: 10.",
      ),
      drill_interval: cronField(
        'When the daemon runs a restore drill: restore drill_files random files from the latest snapshot and compare them with the source, e.g. "0 5 1 * *".',
      ),
      drill_files: positiveWhole("How many files a restore drill restores and compares. Default: 10."),
      alert_after: duration(
        'Notify when the job has not succeeded for this long, for any reason (failures, the machine off), e.g. "26h"; and again when it recovers.',
      ),
      notifications: notificationsSchema.describe(
        "Notifiers for this job only, added to the top-level ones.",
      ),
      hooks: hooksSchema,
    },
    expected("a job object"),
  )
  .describe(`One backup job: what to back up, where to, and when. ${PASSWORD_RULE}`);

export const configFileSchema = z
  .strictObject(
    {
      $schema: z
        .string(expected("a string"))
        .optional()
        .describe("The JSON Schema of this file, for editor completion. Ignored by simplebackup."),
      restic_binary: path('a path to the restic program, or a program name found on PATH such as "restic"')
        .optional()
        .describe(
          "The restic program to run: a path (relative to the config file's folder), or a name looked up on PATH. Default: restic.",
        ),
      state_dir: path("a folder path")
        .optional()
        .describe(
          "Folder where simplebackup keeps its run history (relative to the config file's folder). Default: a per-user data folder.",
        ),
      max_concurrent: positiveWhole(
        "How many jobs may run at once. Jobs on the same repository never run at the same time. Default: 1.",
      ),
      keep_logs: positiveWhole("How many per-run log files to keep for each job. Default: 30."),
      skip_if_unchanged: boolean(
        "The default of skip_if_unchanged for every job: make no new snapshot when nothing changed since the job's last one (restic 0.17 or later). Default: false.",
      ),
      notifications: notificationsSchema.describe(
        'Who is told about backups: built-in notifiers ({"type": "desktop"}, {"type": "webhook", "url": …}) or plugins ({"module": "./my-notifier.mjs", "options": {…}}).',
      ),
      metrics_file: path("a file path")
        .optional()
        .describe(
          "Write a Prometheus textfile (for node_exporter's textfile collector) after every run, e.g. /var/lib/node_exporter/simplebackup.prom.",
        ),
      retry: retrySchema,
      stale_lock_after: duration(
        "A repository lock older than this is stale and removed with restic unlock (a lock whose process is gone is removed at once). Default: 1h.",
      ),
      backend_unreachable_after: duration(
        "How long restic may retry one failing request to a repository (a server that is down, a network that is gone) before simplebackup stops it and the run fails as BACKEND_UNAVAILABLE, which the retry policy retries. restic 0.17 and later would retry for up to 15 minutes by themselves. Raise it on a link that often drops for longer. Default: 45s.",
      ),
      backupjobs: z
        .array(jobSchema, expected("an array of jobs"))
        .min(1, expected("at least one job"))
        .describe("The backup jobs. Job names must be unique."),
    },
    expected('a JSON object with a "backupjobs" array'),
  )
  .describe("simplebackup configuration: restic backups on cron schedules.");

export type ConfigFile = z.infer<typeof configFileSchema>;
