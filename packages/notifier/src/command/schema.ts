import { expected } from "@simplebackup/core";
import * as z from "zod";
import { displayName, durationMs, onFilter } from "../config/zod-helpers.js";
import type { CommandOptions } from "./command.js";

/** The command entry as a config file writes it, parsed to `CommandOptions`. */
export const commandOptionsSchema = z
  .strictObject(
    {
      command: z
        .string(expected("a program name or path"))
        .min(1, expected("a non-empty program name or path"))
        .describe(
          "The program to run, without a shell; a relative path is relative to the config file's folder.",
        ),
      args: z
        .array(z.string(expected("an argument")), expected("an array of arguments"))
        .optional()
        .describe("Its arguments."),
      timeout: durationMs().optional().describe('The program is killed after this long. Default: "30s".'),
      env: z
        .record(
          z.string(),
          z.string(expected("a string value")),
          expected("an object of variable names to values"),
        )
        .optional()
        .describe("Extra environment variables, e.g. a token. Shown masked in logs and status."),
      cwd: z
        .string(expected("a folder path"))
        .min(1, expected("a folder path"))
        .optional()
        .describe(
          "The folder it runs in; relative to the config file's folder. Default: the config file's folder.",
        ),
      on: onFilter(),
      name: displayName(),
    },
    expected("an object with command and optional args, timeout, env, cwd, on"),
  )
  .transform(
    ({ timeout, ...rest }): CommandOptions => ({
      ...rest,
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    }),
  );
