import type { AnyCommand } from "./define-command.js";
import {
  aliasesOf,
  isRequiredPositional,
  positionalLabel,
  type StrictArgDef,
  valueHintOf,
} from "./strict-args.js";

/**
 * `simplebackup forget JOB [--dry-run] [--json] [--config FILE]`: positionals, then required flags,
 * then the others in their declared order, with `--config` (every command has it) last.
 */
export function usageLine(path: string, command: AnyCommand): string {
  const parts = [path];
  if (command.subCommands) parts.push(command.default ? "[COMMAND]" : "COMMAND", "[OPTIONS]");
  const entries = Object.entries((command.args ?? {}) as Record<string, StrictArgDef>);
  for (const [name, def] of entries) {
    if (def.type !== "positional") continue;
    const label = positionalLabel(name, def);
    parts.push(isRequiredPositional(def) ? label : `[${label}]`);
  }
  for (const [name, def] of orderedFlags(entries)) {
    const flag = `--${name}${def.type === "boolean" ? "" : ` ${valueHintOf({ name, def })}`}`;
    parts.push(`${def.required ? flag : `[${flag}]`}${def.repeatable ? "..." : ""}`);
  }
  return parts.join(" ");
}

/** Required flags first, then the others as declared, `--config` (every command has it) last. */
function orderedFlags(entries: readonly [string, StrictArgDef][]): [string, StrictArgDef][] {
  const rank = ([name, def]: [string, StrictArgDef]) => (def.required ? 0 : name === "config" ? 2 : 1);
  return entries.filter(([, def]) => def.type !== "positional").sort((a, b) => rank(a) - rank(b));
}

/** The message for a usage mistake: what was wrong, that nothing ran, the usage line, where help is. */
export function formatUsageError(problem: string, path: string, command: AnyCommand): string {
  return [
    `${path}: ${problem}; nothing ran.`,
    `usage: ${usageLine(path, command)}`,
    `Run "${path} --help" for more.`,
  ].join("\n");
}

export interface Style {
  heading(text: string): string;
  name(text: string): string;
}

/**
 * Colours only for a person at a terminal: not when the output is piped or saved, nor with NO_COLOR set
 * to anything (no-color.org) or TERM=dumb. (citty coloured its help unless NO_COLOR was exactly "1".)
 */
export function styleFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  const color = stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
  if (!color) return { heading: (t) => t, name: (t) => t };
  return { heading: (t) => `\u001b[1m${t}\u001b[22m`, name: (t) => `\u001b[36m${t}\u001b[39m` };
}

/** The text of `--help`: description, usage line, arguments, options, subcommands. */
export async function renderHelp(path: string, command: AnyCommand, style: Style): Promise<string> {
  const { meta } = command;
  const lines = [meta.version ? `${meta.description} (${path} ${meta.version})` : meta.description, ""];
  lines.push(`${style.heading("usage:")} ${usageLine(path, command)}`, "");

  const entries = Object.entries((command.args ?? {}) as Record<string, StrictArgDef>);
  const positionals: [string, string][] = entries
    .filter(([, def]) => def.type === "positional")
    .map(([name, def]) => [positionalLabel(name, def), describe(def)]);
  table(lines, "Arguments:", positionals, style);

  const options: [string, string][] = orderedFlags(entries).map(([name, def]) => {
    const spelled = [...aliasesOf(def).map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${name}`].join(
      ", ",
    );
    const hint = def.type === "boolean" ? "" : ` ${valueHintOf({ name, def })}`;
    return [`${spelled}${hint}`, describe(def)];
  });
  options.push(["-h, --help", "Show this help"]);
  if (meta.version) options.push(["-v, --version", "Print the version"]);

  if (command.subCommands) {
    const commands: [string, string][] = [];
    for (const [name, load] of Object.entries(command.subCommands)) {
      const sub = await load();
      if (sub.meta.hidden) continue;
      commands.push([name, `${sub.meta.description}${name === command.default ? " (the default)" : ""}`]);
    }
    table(lines, "Commands:", commands, style);
  }
  table(lines, "Options:", options, style);
  if (command.subCommands)
    lines.push(`Run "${path} <command> --help" for a command's arguments and options.`);
  return `${lines.join("\n").trimEnd()}\n`;
}

function describe(def: StrictArgDef): string {
  const notes = [
    def.required === true ? "required" : undefined,
    def.repeatable ? "repeatable" : undefined,
    def.type === "positional" && def.variadic ? "any number" : undefined,
    def.default === undefined || def.type === "boolean" ? undefined : `default: ${def.default}`,
  ].filter(Boolean);
  return `${def.description ?? ""}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

function table(lines: string[], heading: string, rows: readonly [string, string][], style: Style): void {
  if (rows.length === 0) return;
  const width = Math.max(...rows.map(([left]) => left.length));
  lines.push(style.heading(heading));
  for (const [left, right] of rows) lines.push(`  ${style.name(left.padEnd(width))}  ${right}`.trimEnd());
  lines.push("");
}
