import * as z from "zod";
import { describeCronProblem } from "../cron/cron.js";
import { databasesSchema } from "./databases.js";
import { expected, isPlainObject } from "./problems.js";
import {
  boolean,
  duration,
  durationText,
  envVariables,
  formatted,
  PASSWORD_RULE,
  passwordFields,
  path,
  positiveWhole,
  retentionRules,
} from "./schema-fields.js";
import { describeTimeZoneProblem, TIME_ZONE_FORMAT } from "./time-zone.js";
import { uiSchema } from "./ui.js";

/**
 * The config file as a user writes it. This is the single source of truth: the TypeScript type, the
 * JSON Schema for editors and the config reference are all generated from it, so every key carries a
 * description and every check carries a message that says what is expected.
 *
 * Rules that span several keys (exactly one password source, unique job names, a copy target that is
 * not the job's own repository, `reachable` only on a remote repository) cannot be written as a plain
 * object tree; load.ts checks them and the descriptions below state them.
 */

const NON_EMPTY_PATH = "a non-empty path";

const noComma = /^[^,]+$/;

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
          'Which events it hears, e.g. ["failure", "success"]. Default: failure, partial, retries-exhausted, config-invalid, stale, recovered, copy-lagging.',
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

const retentionSchema = retentionRules()
  .optional()
  .describe(
    "Which snapshots to keep; older ones are removed with restic forget --prune after each backup. " +
      "Leave it out to keep every snapshot.",
  );

const DESTINATION =
  "The restic repository: a local folder (relative to the config file's folder) or a backend URL " +
  "(sftp:, rest:, s3:, b2:, azure:, gs:, swift:, rclone:, local:).";

const destination = () =>
  path("a restic repository: a folder path or a backend URL such as sftp:user@host:/srv/restic");

/** A target's name labels events and metrics, so it keeps to characters every label format takes. */
const TARGET_NAME = "a target name of letters, digits, - and _ (at most 64 characters)";

const copyTargetSchema = z
  .strictObject(
    {
      name: z
        .string(expected(TARGET_NAME))
        .regex(/^[A-Za-z0-9_-]{1,64}$/, expected(TARGET_NAME))
        .describe(
          "Name of the target, unique in the job: letters, digits, - and _. Events, status, metrics and notifications name the target by it.",
        ),
      destination: destination().describe(
        `${DESTINATION} Not the job's own destination. A repository that does not exist yet is created with the job's chunker parameters, so the copy deduplicates as well as the original.`,
      ),
      ...passwordFields("the target repository"),
      env: envVariables()
        .optional()
        .describe(
          "Extra environment variables for restic's access to this target, such as its backend credentials. restic copy reads the job's repository and this one in one process, with the job's env and this env together: a variable both set must have the same value (for different credentials, put the target on another backend).",
        ),
      retention: retentionRules()
        .optional()
        .describe(
          "Which of the job's snapshots to keep on this target, applied after each complete copy (restic forget --prune, scoped to the job). {} keeps every snapshot on the target even when the job's own retention removes them from the job's repository. Default: the job's retention.",
        ),
      alert_after: duration(
        "Notify when this target's copy has lagged behind the job's last snapshot for this long (the target down, copies failing); once per spell. Default: the job's alert_after. Failed copies are retried quietly until they work, so this alert is how a dead target is told.",
      ),
    },
    expected(
      'a copy target object such as {"name": "offsite", "destination": "rest:https://…", "password_file": "…"}',
    ),
  )
  .describe(`A second repository that gets a copy of every snapshot of the job. ${PASSWORD_RULE}`);

const copyToSchema = z
  .array(copyTargetSchema, {
    error: (issue: z.core.$ZodRawIssue) =>
      isPlainObject(issue.input)
        ? 'expected an array of copy targets, got an object; put the target in a list: "copy_to": [{ … }]'
        : expected("an array of copy targets").error(issue),
  })
  .optional()
  .describe(
    "Second repositories (an offsite server, a USB drive) that get a copy of every snapshot of the job with restic copy: after each successful backup, and as soon as a target that was unreachable is back. A failed copy is reported as copy-failed with the target's name and never fails the backup. Default: none.",
  );

/** Something that only a backend URL can be: path_exists wants a folder, not a server. */
const BACKEND_URL = /^(?:[a-z][a-z0-9+.-]*:\/\/|(?:sftp|rest|s3|b2|azure|gs|swift|rclone):)/i;

const conditionPath = z
  .string(expected("a path"))
  .min(1, expected("a non-empty path"))
  .refine((text) => !BACKEND_URL.test(text), {
    message:
      'expected a local path (a folder on a drive such as "/media/usb/restic"), got a URL; to wait for a server, use "reachable": true',
  });

const conditionCommand = z.string(expected("a shell command")).min(1, expected("a non-empty shell command"));

const WHEN_MERGE =
  "A job's when overrides the top-level when key by key: a key the job sets (false and [] included) replaces the top level's, a key it leaves out keeps it.";

const whenSchema = (scope: "job" | "top") =>
  z
    .strictObject(
      {
        on_ac_power: boolean(
          `Run only on mains power: on battery the run is skipped, owed, and started once the machine is plugged in. A machine without a battery is always on mains. ${
            scope === "job"
              ? "false runs on battery too, whatever the top-level when says."
              : "false is the same as leaving it out."
          }`,
        ),
        path_exists: z
          .union([conditionPath, z.array(conditionPath)], expected("a path or an array of paths"))
          .optional()
          .describe(
            "Run only while this path exists (all of them, for a list): a folder ON a removable drive that holds the repository or a source, such as the repository itself, not the drive's mount point (an empty mount point exists while the drive is away). Once it appears the owed run starts, within a minute. Relative to the config file's folder.",
          ),
        reachable: boolean(
          scope === "job"
            ? "Run only when the repository's server accepts a TCP connection, checked before restic starts, instead of a failure after restic's network retries. Only for a remote repository (rest:, sftp:, s3:, …); for a repository on a drive, use path_exists. Copy targets are retried on their own."
            : "The default of reachable for every job on a remote repository (rest:, sftp:, s3:, …); jobs on a local folder ignore it.",
        ),
        command:
          scope === "job"
            ? conditionCommand
                .nullable()
                .optional()
                .describe(
                  "Run only when this shell command exits 0, e.g. a check of the network the machine is on. null drops the top-level command for this job.",
                )
            : conditionCommand
                .optional()
                .describe(
                  "Run a job only when this shell command exits 0, e.g. a check of the network the machine is on.",
                ),
      },
      expected("an object of run conditions (on_ac_power, path_exists, reachable, command)"),
    )
    .optional()
    .describe(
      scope === "job"
        ? `What must hold for a scheduled run of this job to start. A run whose conditions do not hold is skipped with the reason (never a failure), stays owed, and runs once as soon as they hold. ${WHEN_MERGE} Runs started by hand do not wait. Default: the top-level when.`
        : `Run conditions for every job, as a job's when. ${WHEN_MERGE} Default: none.`,
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
      // Required unless the job lists databases; databaseProblems (load.ts) says so when both are missing.
      sources: z
        .array(path(NON_EMPTY_PATH), expected("a non-empty array of file or folder paths"))
        .optional()
        .describe(
          "Files and folders to back up. Relative paths are relative to the config file's folder; ~/ is the home folder. Required unless the job lists databases.",
        ),
      databases: databasesSchema,
      destination: destination().describe(DESTINATION),
      ...passwordFields("the repository"),
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
      env: envVariables()
        .optional()
        .describe(
          "Extra environment variables for restic, such as backend credentials (AWS_ACCESS_KEY_ID, B2_ACCOUNT_KEY).",
        ),
      tags: z
        .array(
          z
            .string(expected("a non-empty tag"))
            .regex(
              /^(?!simplebackup:|simplebackup-db:)[^,]+$/,
              expected(
                'a non-empty tag without "," that does not start with "simplebackup:" or "simplebackup-db:" (kept for job and database tags)',
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
      copy_to: copyToSchema,
      when: whenSchema("job"),
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
      when: whenSchema("top"),
      ui: uiSchema,
      backupjobs: z
        .array(jobSchema, expected("an array of jobs"))
        .min(1, expected("at least one job"))
        .describe("The backup jobs. Job names must be unique."),
    },
    expected('a JSON object with a "backupjobs" array'),
  )
  .describe("simplebackup configuration: restic backups on cron schedules.");

export type ConfigFile = z.infer<typeof configFileSchema>;
