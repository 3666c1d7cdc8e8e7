import * as z from "zod";
import {
  DURATION_FORMAT,
  describeDurationProblem,
  describeKeepWithinProblem,
  KEEP_WITHIN,
  KEEP_WITHIN_FORMAT,
} from "./duration.js";
import { expected } from "./problems.js";

/**
 * The building blocks of the config schema that several objects share: a job and each of its copy
 * targets have the same password keys, retention rules and env; durations, paths and booleans appear
 * everywhere. One definition each, so a target's `password_env` is checked exactly as a job's.
 */

export const path = (what: string) => z.string(expected(what)).min(1, expected(what));

export const wholeNumber = (description: string) => {
  const rule = expected("a whole number ≥ 0");
  return z.number(rule).int(rule).min(0, rule).optional().describe(description);
};

export const positiveWhole = (description: string) => {
  const rule = expected("a whole number ≥ 1");
  return z.number(rule).int(rule).min(1, rule).optional().describe(description);
};

export const boolean = (description: string) =>
  z.boolean(expected("true or false")).optional().describe(description);

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
export const formatted = (what: string, describe: (value: unknown) => string | undefined) =>
  z.string({ error: (issue) => formatProblem(what, describe, issue) }).superRefine((text, context) => {
    const problem = describe(text);
    if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
  });

export const durationText = () => formatted(DURATION_FORMAT, describeDurationProblem);

export const duration = (description: string) => durationText().optional().describe(description);

/** The four ways to give a repository password; a job and each copy target set exactly one. */
export const passwordKeys = ["password", "password_file", "password_command", "password_env"] as const;

export const PASSWORD_RULE = "Set exactly one of password, password_file, password_command, password_env.";

/** The password keys of an object that names a repository; `whose` is e.g. "the repository". */
export function passwordFields(whose: string) {
  return {
    password: z
      .string(expected(`${whose} password`))
      .min(1, expected(`a non-empty ${whose.replace(/^the /, "")} password`))
      .optional()
      .describe(`${capitalize(whose)} password, written in this file. ${PASSWORD_RULE}`),
    password_file: path(`a path to a file holding ${whose} password`)
      .optional()
      .describe(
        `A file holding ${whose} password (restic --password-file), relative to the config file's folder. ${PASSWORD_RULE}`,
      ),
    password_command: z
      .string(expected(`a command that prints ${whose} password`))
      .min(1, expected(`a non-empty command that prints ${whose} password`))
      .optional()
      .describe(`A command that prints ${whose} password (restic --password-command). ${PASSWORD_RULE}`),
    password_env: z
      .string(expected(`the name of an environment variable holding ${whose} password`))
      .regex(/^[^=\0]+$/, expected(`the name of an environment variable holding ${whose} password`))
      .optional()
      .describe(`The name of an environment variable holding ${whose} password. ${PASSWORD_RULE}`),
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** restic forget's keep rules, as a job and a copy target write them. */
export const retentionRules = () =>
  z.strictObject(
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
  );

/** Environment variables for restic: names without "=", string values. */
export const envVariables = () =>
  z.record(z.string().regex(/^[^=\0]+$/), z.string(expected("a string value (quote numbers)")), {
    error: (issue: z.core.$ZodRawIssue) =>
      issue.code === "invalid_key"
        ? 'not a valid environment variable name (it must be non-empty and contain no "=")'
        : expected("an object of environment variable names to string values").error(issue),
  });
