import { expected } from "@simplebackup/core";
import * as z from "zod";
import { displayName, durationMs, httpUrl, onFilter } from "../config/zod-helpers.js";
import type { WebhookOptions } from "./webhook.js";

/** The webhook entry as a config file writes it (`timeout: "10s"`), parsed to `WebhookOptions`. */
export const webhookOptionsSchema = z
  .strictObject(
    {
      url: httpUrl().describe("Where to POST the event as JSON."),
      headers: z
        .record(
          z.string(),
          z.string(expected("a header value")),
          expected("an object of header names to values"),
        )
        .optional()
        .describe("Extra request headers, e.g. an Authorization header. Shown masked in logs and status."),
      timeout: durationMs().optional().describe('Per request. Default: "10s".'),
      retries: z
        .number(expected("a whole number from 0 to 5"))
        .int(expected("a whole number from 0 to 5"))
        .min(0, expected("a whole number from 0 to 5"))
        .max(5, expected("a whole number from 0 to 5"))
        .optional()
        .describe("Extra attempts after a network error, a 5xx or a 429. Default: 0."),
      on: onFilter(),
      name: displayName(),
    },
    expected("an object with url and optional headers, timeout, retries, on"),
  )
  .transform(
    ({ timeout, ...rest }): WebhookOptions => ({
      ...rest,
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    }),
  );
