import {
  DURATION_FORMAT,
  describeDurationProblem,
  describeValue,
  expected,
  parseDuration,
} from "@simplebackup/core";
import * as z from "zod";
import { NOTIFIER_EVENT_KINDS, type NotifierEventKind } from "../events.js";

/** The same wording for a `.refine()` check, whose issues are "custom" and get no message otherwise. */
function refined(what: string) {
  return {
    error: (issue: z.core.$ZodRawIssue) =>
      issue.input === undefined
        ? `missing; expected ${what}`
        : `expected ${what}, got ${describeValue(issue.input)}`,
  };
}

const HTTP_URL = "an http(s) URL";

export const httpUrl = () =>
  z.string(expected(HTTP_URL)).refine((text) => {
    try {
      return ["http:", "https:"].includes(new URL(text).protocol);
    } catch {
      return false;
    }
  }, refined(HTTP_URL));

/**
 * A duration as config files write it, parsed to milliseconds: core's grammar and core's message, so
 * `"1d"` reads the same in a notifier's `timeout` as in a job's `alert_after`.
 */
export const durationMs = () =>
  z
    .string(expected(DURATION_FORMAT))
    .superRefine((text, context) => {
      const problem = describeDurationProblem(text);
      if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
    })
    .transform((text) => parseDuration(text) as number);

const KINDS_TEXT = `one of ${NOTIFIER_EVENT_KINDS.join(", ")}`;

/** The `on` filter as config files write it. */
export const onFilter = () =>
  z
    .array(
      z.enum(NOTIFIER_EVENT_KINDS as [NotifierEventKind, ...NotifierEventKind[]], expected(KINDS_TEXT)),
      expected("an array of event kinds"),
    )
    .optional()
    .describe('Event kinds to notify about. Default: the failure side ("failure", "partial", …).');

export const displayName = () =>
  z
    .string(expected("a non-empty name"))
    .min(1, expected("a non-empty name"))
    .optional()
    .describe("Shown in logs and status, to tell two notifiers of one type apart.");
