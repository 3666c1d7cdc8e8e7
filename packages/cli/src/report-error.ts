import { ConfigError, isSimplebackupError, plural } from "@simplebackup/core";
import { EXIT } from "./exit-codes.js";
import { EXIT_BUSY } from "./repository-turn.js";

export { EXIT };

/** Prints an error for a person and returns the exit code. Only our own bugs get a stack trace. */
export function reportError(error: unknown): number {
  if (error instanceof ConfigError) {
    const where = error.file ? ` in ${error.file}` : "";
    // Not found: core's message already starts "no config file found" and lists where it looked.
    console.error(
      error.code === "CONFIG_NOT_FOUND"
        ? `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}`
        : `The config${where} has ${plural(error.problems.length, "problem")}:`,
    );
    if (error.code === "CONFIG_NOT_FOUND") {
      const file = error.file ? ` ${/\s/.test(error.file) ? JSON.stringify(error.file) : error.file}` : "";
      console.error(`New here? "simplebackup init${file}" writes a commented starter config.`);
    }
    if (error.code !== "CONFIG_NOT_FOUND") {
      for (const problem of error.problems) {
        console.error(`  ${problem.path ? `${problem.path}: ` : ""}${problem.message}`);
      }
    }
    return EXIT.usage;
  }
  if (isSimplebackupError(error)) {
    console.error(`error [${error.code}]: ${error.message}`);
    if (error.code === "REPOSITORY_BUSY") return EXIT_BUSY;
    return error.code === "JOB_NOT_FOUND" ? EXIT.usage : EXIT.failed;
  }
  console.error("simplebackup hit an unexpected error; please report it with the trace below.");
  console.error(error);
  return EXIT.failed;
}
