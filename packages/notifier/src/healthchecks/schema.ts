import { expected } from "@simplebackup/core";
import * as z from "zod";
import { displayName, durationMs, httpUrl, onFilter } from "../config/zod-helpers.js";
import type { HealthchecksOptions } from "./healthchecks.js";

/** The healthchecks entry as a config file writes it, parsed to `HealthchecksOptions`. */
export const healthchecksOptionsSchema = z
  .strictObject(
    {
      url: httpUrl().describe("The check's ping URL, e.g. https://hc-ping.com/<uuid>. Shown masked."),
      timeout: durationMs().optional().describe('Per request. Default: "10s".'),
      on: onFilter().describe('Default: ["start", "success", "partial", "failure"].'),
      name: displayName(),
    },
    expected("an object with url and optional timeout, on"),
  )
  .transform(
    ({ timeout, ...rest }): HealthchecksOptions => ({
      ...rest,
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    }),
  );
