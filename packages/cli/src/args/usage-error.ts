/**
 * A mistake in how a command was called, found before the command did anything: reported with
 * `nothing ran`, the command's usage line and exit code 2. Throw it only before the command has read
 * its config or started a process; later mistakes are ordinary errors.
 */
export class UsageError extends Error {
  override name = "UsageError";
  readonly code = "USAGE";
}
