import { expected } from "@simplebackup/core";
import * as z from "zod";
import { displayName, durationMs, httpUrl, onFilter } from "../config/zod-helpers.js";
import { NOTIFIER_EVENT_KINDS, type NotifierEventKind } from "../events.js";
import type { NtfyOptions, NtfyPriority } from "./ntfy.js";

const PRIORITY = 'a priority from 1 to 5 or one of "min", "low", "default", "high", "max", "urgent"';

const priority = z.union(
  [z.literal([1, 2, 3, 4, 5]), z.enum(["min", "low", "default", "high", "max", "urgent"])],
  expected(PRIORITY),
);

const kindKey = z.enum(NOTIFIER_EVENT_KINDS as [NotifierEventKind, ...NotifierEventKind[]]);

/** The ntfy entry as a config file writes it, parsed to `NtfyOptions`. */
export const ntfyOptionsSchema = z
  .strictObject(
    {
      url: httpUrl().describe(
        "The topic URL, e.g. https://ntfy.sh/my-backups-4f9a. The topic is as good as a password.",
      ),
      priority: z
        .partialRecord(kindKey, priority, expected("an object of event kinds to priorities"))
        .optional()
        .describe('Priority per event kind, e.g. { "failure": "high", "success": "low" }.'),
      token: z
        .string(expected("an ntfy access token"))
        .min(1, expected("a non-empty ntfy access token"))
        .optional()
        .describe("An access token for a protected topic. Shown masked in logs and status."),
      tags: z
        .array(z.string(expected("a tag")), expected("an array of tags"))
        .optional()
        .describe("Extra tags shown with every message."),
      timeout: durationMs().optional().describe('Per request. Default: "10s".'),
      on: onFilter(),
      name: displayName(),
    },
    expected("an object with url and optional priority, token, tags, on"),
  )
  .transform(
    ({ timeout, priority, ...rest }): NtfyOptions => ({
      ...rest,
      ...(priority === undefined
        ? {}
        : { priority: priority as Partial<Record<NotifierEventKind, NtfyPriority>> }),
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    }),
  );
