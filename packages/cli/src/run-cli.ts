import { resolveInvocation } from "./args/dispatch.js";
import { formatUsageError, renderHelp, styleFor } from "./args/usage.js";
import { UsageError } from "./args/usage-error.js";
import { EXIT } from "./exit-codes.js";
import { main } from "./main.js";

/**
 * Runs a command line: the command's arguments are checked against its definition first, and any
 * mistake ends with exit 2 and `nothing ran` before a config is read or a process started. Then the
 * command runs, with our exit codes: no stack trace for a user's mistake.
 */
export async function runCli(rawArgs: string[]): Promise<void> {
  const invocation = await resolveInvocation(main, rawArgs);
  switch (invocation.kind) {
    case "version":
      console.log(invocation.version);
      return;
    case "help":
      process.stdout.write(
        await renderHelp(invocation.path, invocation.command, styleFor(process.stdout, process.env)),
      );
      return;
    case "usage-error":
      console.error(formatUsageError(invocation.problem, invocation.path, invocation.command));
      process.exitCode = EXIT.usage;
      return;
  }
  const { path, command, args } = invocation;
  try {
    await command.run?.({ args, rawArgs: invocation.rawArgs });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(formatUsageError(error.message, path, command));
      process.exitCode = EXIT.usage;
      return;
    }
    // Imported only on failure: report-error.ts imports @simplebackup/core, and with it zod,
    // cron-parser and luxon (~120 modules), which `--version` and `--help` never need.
    const { reportError } = await import("./report-error.js");
    process.exitCode = reportError(error);
  }
}
