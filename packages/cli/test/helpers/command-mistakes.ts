// The mistakes a user can make on any command, generated from the commands' own definitions, so a
// new command (or flag) joins the tests without anyone adding it. Used in-process (the full table,
// packages/cli/test/command-table.test.ts) and through the built CLI (test/e2e/strict-args.test.ts).

import type { AnyCommand } from "../../src/args/define-command.js";
import { isRequiredPositional, type StrictArgDef } from "../../src/args/strict-args.js";

export type MistakeKind =
  | "unknown flag"
  | "typo"
  | "missing value"
  | "value then flag"
  | "extra argument"
  | "switch with a value"
  | "unknown negation";

export interface Mistake {
  readonly kind: MistakeKind;
  /** The arguments after the command's name. */
  readonly argv: readonly string[];
  /** What the error must say. */
  readonly says: string;
}

/** The root command and each subcommand, loaded as the CLI loads them. */
export async function loadCommands(): Promise<{ main: AnyCommand; commands: [string, AnyCommand][] }> {
  // tsup defines it at build time; main.ts reads it when evaluated.
  (globalThis as { __SIMPLEBACKUP_VERSION__?: string }).__SIMPLEBACKUP_VERSION__ ??= "0.0.0-test";
  const { main } = await import("../../src/main.js");
  const commands: [string, AnyCommand][] = [];
  for (const [name, load] of Object.entries(main.subCommands ?? {})) commands.push([name, await load()]);
  return { main, commands };
}

export interface BaselineValues {
  /** The value for a positional argument (a job name, a file). */
  positional(name: string, def: StrictArgDef): string;
  /** The value for a required string flag. */
  flag(name: string, def: StrictArgDef): string;
}

const entriesOf = (command: AnyCommand) =>
  Object.entries((command.args ?? {}) as Record<string, StrictArgDef>);
const flagsOf = (command: AnyCommand) => entriesOf(command).filter(([, def]) => def.type !== "positional");

/**
 * The smallest valid call: every required argument given. A command with a `--print` or `--dry-run`
 * switch gets it too, so that if a check ever let a mistake through, the command would only preview.
 */
export function baselineFor(command: AnyCommand, values: BaselineValues): string[] {
  const argv: string[] = [];
  for (const [name, def] of entriesOf(command)) {
    if (def.type === "positional") {
      if (isRequiredPositional(def)) argv.push(values.positional(name, def));
    } else if (def.required) {
      argv.push(`--${name}`, def.type === "enum" ? (def.options?.[0] ?? "") : values.flag(name, def));
    } else if (name === "print" || name === "dry-run") {
      argv.push(`--${name}`);
    }
  }
  return argv;
}

/** The optional positional arguments (not in the baseline); undefined when one takes any number. */
export function optionalPositionals(command: AnyCommand, values: BaselineValues): string[] | undefined {
  const positionals = entriesOf(command).filter(([, def]) => def.type === "positional");
  if (positionals.some(([, def]) => def.variadic)) return undefined;
  return positionals
    .filter(([, def]) => !isRequiredPositional(def))
    .map(([name, def]) => values.positional(name, def));
}

/** A one-letter typo of a flag's name: its last two letters swapped, else its second letter dropped. */
export function typoOf(name: string, taken: readonly string[]): string | undefined {
  const candidates = [
    `${name.slice(0, -2)}${name.at(-1)}${name.at(-2)}`,
    `${name.slice(0, 1)}${name.slice(2)}`,
    `${name}s`,
  ];
  return candidates.find((typo) => typo !== name && !taken.includes(typo));
}

/** Every mistake of every kind for one command, each applied to its baseline call. */
export function mistakesFor(command: AnyCommand, values: BaselineValues): Mistake[] {
  const baseline = baselineFor(command, values);
  const flags = flagsOf(command);
  const names = flags.flatMap(([name, def]) => [name, ...(def.type === "boolean" ? [`no-${name}`] : [])]);
  const mistakes: Mistake[] = [
    { kind: "unknown flag", argv: [...baseline, "--frobnicate"], says: "unknown flag --frobnicate" },
    {
      kind: "unknown negation",
      argv: [...baseline, "--no-frobnicate"],
      says: "unknown flag --no-frobnicate",
    },
  ];
  for (const [name, def] of flags) {
    // Long names only: a one-letter alias has no one-letter typo that is not another letter.
    const typo = typoOf(name, names);
    if (typo)
      mistakes.push({ kind: "typo", argv: [...baseline, `--${typo}`], says: `(did you mean --${name}?)` });
    if (def.type === "boolean") {
      mistakes.push({
        kind: "switch with a value",
        argv: [...baseline, `--${name}=yes`],
        says: "takes no value",
      });
    } else {
      const without = withoutFlag(baseline, name);
      mistakes.push({
        kind: "missing value",
        argv: [...without, `--${name}`],
        says: `--${name} needs a value`,
      });
      mistakes.push({
        kind: "value then flag",
        argv: [...without, `--${name}`, "--frobnicate"],
        says: `--${name} needs a value`,
      });
    }
  }
  const optional = optionalPositionals(command, values);
  if (optional) {
    const argv = [...baseline, ...optional, "surplus"];
    mistakes.push({ kind: "extra argument", argv, says: 'unexpected argument "surplus"' });
  }
  return mistakes;
}

/** The baseline without a required flag and its value, so the mistake is the only use of the flag. */
function withoutFlag(argv: readonly string[], name: string): string[] {
  const at = argv.indexOf(`--${name}`);
  return at === -1 ? [...argv] : [...argv.slice(0, at), ...argv.slice(at + 2)];
}
