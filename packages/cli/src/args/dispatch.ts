import type { AnyCommand } from "./define-command.js";
import { didYouMean } from "./did-you-mean.js";
import { parseStrictArgs, type StrictArgs } from "./strict-args.js";

/** What a command line asks for, decided before anything runs. */
export type Invocation =
  | { readonly kind: "version"; readonly version: string }
  | { readonly kind: "help"; readonly path: string; readonly command: AnyCommand }
  | {
      readonly kind: "usage-error";
      readonly path: string;
      readonly command: AnyCommand;
      readonly problem: string;
    }
  | {
      readonly kind: "run";
      readonly path: string;
      readonly command: AnyCommand;
      // biome-ignore lint/suspicious/noExplicitAny: any command, whatever its arguments
      readonly args: StrictArgs<any>;
      readonly rawArgs: readonly string[];
    };

/**
 * Finds the command a command line names and checks its arguments against that command's own
 * definition. The first argument names the command; a first argument that is a flag (or none) means
 * the default command, so a stray word never starts the default (`simplebackup bakup` is an unknown
 * command, not the daemon). `--help`/`-h` anywhere before `--` asks for the named command's help;
 * `--version`/`-v` alone for the version.
 */
export async function resolveInvocation(root: AnyCommand, rawArgs: readonly string[]): Promise<Invocation> {
  if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v") && root.meta.version) {
    return { kind: "version", version: root.meta.version };
  }
  let command = root;
  let path = root.meta.name;
  let rest = rawArgs;
  // The commands of the level where the default was taken: `simplebackup --json backup` names one.
  let passedOver: readonly string[] = [];
  while (command.subCommands) {
    const names = Object.keys(command.subCommands);
    const first = rest[0];
    let name: string;
    if (first !== undefined && !first.startsWith("-")) {
      if (!Object.hasOwn(command.subCommands, first)) {
        const close = didYouMean(first, names);
        const hint = close ? ` (did you mean ${close}?)` : `; the commands are ${names.join(", ")}`;
        const problem = `unknown command "${first}"${hint}`;
        return { kind: "usage-error", path, command, problem };
      }
      name = first;
      rest = rest.slice(1);
    } else if (wantsHelp(rest)) {
      return { kind: "help", path, command };
    } else if (command.default) {
      name = command.default;
      passedOver = names;
    } else {
      return { kind: "usage-error", path, command, problem: "a command is missing" };
    }
    command = await (command.subCommands[name] as () => Promise<AnyCommand>)();
    path = `${path} ${name}`;
  }
  if (wantsHelp(rest)) return { kind: "help", path, command };
  const parsed = parseStrictArgs(command.args ?? {}, rest);
  if (!parsed.ok) {
    const misplaced = rest.find((arg) => passedOver.includes(arg));
    const problem = misplaced
      ? `"${misplaced}" is a command, and the command goes first: ${root.meta.name} ${misplaced} [OPTIONS]`
      : parsed.problem;
    return { kind: "usage-error", path, command, problem };
  }
  return { kind: "run", path, command, args: parsed.args, rawArgs: rest };
}

function wantsHelp(rawArgs: readonly string[]): boolean {
  const end = rawArgs.indexOf("--");
  return (end === -1 ? rawArgs : rawArgs.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}
