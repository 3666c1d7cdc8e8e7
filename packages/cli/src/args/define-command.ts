import type { CommandMeta } from "citty";
import type { StrictArgs, StrictArgsDef } from "./strict-args.js";

export interface CommandContext<T extends StrictArgsDef> {
  /** The arguments, already checked against the command's `args` (see strict-args.ts). */
  readonly args: StrictArgs<T>;
  /** The arguments after the command's name, as typed. */
  readonly rawArgs: readonly string[];
}

/**
 * A command: citty's shape (meta, args, subCommands, default, run), so a definition reads like any
 * citty command, but run by dispatch.ts, which checks the arguments strictly before `run` is called.
 */
export interface CliCommand<T extends StrictArgsDef = StrictArgsDef> {
  readonly meta: CommandMeta & { readonly name: string; readonly description: string };
  readonly args?: T;
  /** Each loaded only when used, so `--version` and `--help` start fast. */
  // biome-ignore lint/suspicious/noExplicitAny: a table of commands whose arguments differ
  readonly subCommands?: Readonly<Record<string, () => Promise<CliCommand<any>>>>;
  /** The subcommand that runs when the first argument is a flag, or there is none. */
  readonly default?: string;
  run?(context: CommandContext<T>): unknown;
}

/** Identity, for the types: `args` in `run` typed from the definition (lists for repeatable flags). */
export function defineCommand<const T extends StrictArgsDef = Record<never, never>>(
  command: CliCommand<T>,
): CliCommand<T> {
  return command;
}

// biome-ignore lint/suspicious/noExplicitAny: any command, whatever its arguments
export type AnyCommand = CliCommand<any>;
