import * as z from "zod";
import { NOTIFIER_EVENT_KINDS, type NotifierEventKind } from "../events.js";

/** "expected X, got Y", or "missing; expected X": the wording of core's config problems. */
export function expected(what: string) {
  return {
    error: (issue: z.core.$ZodRawIssue) => {
      if (issue.code === "unrecognized_keys" || issue.code === "custom") return undefined;
      if (issue.input === undefined) return `missing; expected ${what}`;
      return `expected ${what}, got ${describeValue(issue.input)}`;
    },
  };
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

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

const DURATION_TEXT = 'a duration such as "10s" or "1m"';
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * `"1m30s"` → 90_000. The grammar of core's durations (hours and below are all a notifier needs).
 * TODO(core): use core's parseDuration once core exports it.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === "") return undefined;
  const [, h, m, s, ms] = match;
  return Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1_000 + Number(ms ?? 0);
}

/** A duration as config files write it, parsed to milliseconds. */
export const durationMs = () =>
  z
    .string(expected(DURATION_TEXT))
    .refine((text) => parseDuration(text) !== undefined, refined(DURATION_TEXT))
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
