import { runCommand, runMain } from "citty";
import { main } from "./main.js";

/** citty's runMain, but with our exit codes: 2 for usage and config mistakes, no stack for a user's error. */
export async function runCli(rawArgs: string[]): Promise<void> {
  const wantsBuiltin =
    rawArgs.some((arg) => arg === "--help" || arg === "-h") ||
    (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v"));
  if (wantsBuiltin) return runMain(main, { rawArgs });
  try {
    await runCommand(main, { rawArgs });
  } catch (error) {
    // Imported only on failure: report-error.ts imports @simplebackup/core, and with it zod,
    // cron-parser and luxon (~120 modules), which `--version` and `--help` never need.
    const { reportError } = await import("./report-error.js");
    process.exitCode = reportError(error);
  }
}
