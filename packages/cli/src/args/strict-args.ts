import type { ArgDef } from "citty";
import { didYouMean } from "./did-you-mean.js";

/**
 * An argument as citty defines it, plus two things citty cannot say: a flag that may be given more
 * than once (`repeatable`, its value is then a list) and a positional that takes all the rest
 * (`variadic`, e.g. `backup [JOB...]`).
 */
export type StrictArgDef = ArgDef & { readonly repeatable?: boolean; readonly variadic?: boolean };
export type StrictArgsDef = { readonly [name: string]: StrictArgDef };

type ValueOf<D> = D extends { type: "boolean" }
  ? boolean
  : D extends { type: "enum"; options: readonly (infer U)[] }
    ? U
    : string;
type IsList<D> = D extends { repeatable: true } ? true : D extends { variadic: true } ? true : false;
type AlwaysSet<D> = D extends { default: string | boolean }
  ? true
  : D extends { required: true }
    ? true
    : D extends { type: "positional" }
      ? D extends { required: false }
        ? false
        : true
      : false;

/** What a command's `run` receives: each argument by its name, and every positional in `_`. */
export type StrictArgs<T extends StrictArgsDef> = { _: string[] } & {
  -readonly [K in keyof T]: IsList<T[K]> extends true
    ? string[]
    : AlwaysSet<T[K]> extends true
      ? ValueOf<T[K]>
      : ValueOf<T[K]> | undefined;
};

export type StrictParseResult<T extends StrictArgsDef> =
  | { readonly ok: true; readonly args: StrictArgs<T> }
  | { readonly ok: false; readonly problem: string };

/** Raised inside the parser only; the parser returns it as `{ ok: false }`. */
class Problem {
  constructor(readonly message: string) {}
}

interface Flag {
  readonly name: string;
  readonly def: StrictArgDef;
}

/**
 * Parses a command's arguments against its definition, refusing anything it would have to guess at:
 * an unknown flag, a flag without its value, a switch given a value other than true/false, `--no-` of
 * a flag that is not a switch, a flag given twice with different values (unless repeatable), an enum
 * value not in its list, a missing required argument, and a positional argument nobody declared.
 * Pure: no I/O, so a mistake is reported before any config is read or any process started.
 */
export function parseStrictArgs<T extends StrictArgsDef>(
  def: T,
  rawArgs: readonly string[],
): StrictParseResult<T> {
  try {
    return { ok: true, args: parse(def, rawArgs) as StrictArgs<T> };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, problem: error.message };
    throw error;
  }
}

function parse(def: StrictArgsDef, rawArgs: readonly string[]): Record<string, unknown> {
  const entries = Object.entries(def);
  const flags = entries
    .filter(([, d]) => d.type !== "positional")
    .map(([name, d]): Flag => ({ name, def: d }));
  // `--name` finds a name or a long alias; `-x` only a one-letter alias.
  const longNames = new Map<string, Flag>();
  const shortNames = new Map<string, Flag>();
  for (const flag of flags) {
    longNames.set(flag.name, flag);
    for (const alias of aliasesOf(flag.def)) (alias.length === 1 ? shortNames : longNames).set(alias, flag);
  }

  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const set = (flag: Flag, value: string | boolean, shown: string) => {
    if (flag.def.repeatable) {
      values[flag.name] = [...((values[flag.name] as unknown[] | undefined) ?? []), value];
      return;
    }
    const before = values[flag.name];
    if (before !== undefined && before !== value) {
      throw new Problem(
        `${shown} is given twice (${JSON.stringify(before)} and ${JSON.stringify(value)}); give it once`,
      );
    }
    values[flag.name] = value;
  };

  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    if (arg === "--") {
      positionals.push(...rawArgs.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const body = arg.slice(long ? 2 : 1);
    const equals = body.indexOf("=");
    const name = equals === -1 ? body : body.slice(0, equals);
    const inline = equals === -1 ? undefined : body.slice(equals + 1);
    const shown = `${long ? "--" : "-"}${name}`;
    const flag = (long ? longNames : shortNames).get(name);

    if (!flag) {
      const negated = long && name.startsWith("no-") ? longNames.get(name.slice(3)) : undefined;
      if (!negated) throw new Problem(unknownFlag(shown, flags));
      if (negated.def.type !== "boolean") {
        throw new Problem(`${shown}: --${negated.name} is not a switch, so it has no --no- form`);
      }
      if (inline !== undefined) throw new Problem(`${shown} takes no value, got ${arg}`);
      set(negated, false, `--${negated.name}`);
      continue;
    }

    if (flag.def.type === "boolean") {
      // A switch is on when named; `=true`/`=false` are accepted for scripts, anything else is a guess.
      if (inline !== undefined && inline !== "true" && inline !== "false") {
        throw new Problem(
          `${shown} is a switch and takes no value, got ${arg}; write ${shown}${negatable(flag, long) ? ` or --no-${flag.name}` : ""}`,
        );
      }
      set(flag, inline !== "false", shown);
      continue;
    }

    let value = inline;
    if (value === undefined) {
      const next = rawArgs[i + 1];
      // A following flag is never taken as the value: `--snapshot --json` lacks its snapshot.
      if (next !== undefined && (!next.startsWith("-") || next === "-")) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === "") {
      const hint = valueHintOf(flag);
      const next = rawArgs[i + 1];
      // `--seed -1`: a value may start with "-", but only after "=".
      const dashed =
        next?.startsWith("-") && !next.startsWith("--")
          ? `; write a value starting with "-" as ${shown}=${next}`
          : "";
      throw new Problem(`${shown} needs a value (${shown} ${hint})${dashed}`);
    }
    if (flag.def.type === "enum") {
      const options = flag.def.options ?? [];
      if (options.length > 0 && !options.includes(value)) {
        const close = didYouMean(value, options);
        throw new Problem(
          `${shown} must be one of ${options.join(", ")}, got "${value}"${close ? ` (did you mean ${close}?)` : ""}`,
        );
      }
    }
    set(flag, value, shown);
  }

  let next = 0;
  for (const [name, d] of entries) {
    if (d.type !== "positional") continue;
    const label = positionalLabel(name, d);
    if (d.variadic) {
      values[name] = positionals.slice(next);
      next = positionals.length;
      if (isRequiredPositional(d) && (values[name] as string[]).length === 0) {
        throw new Problem(`missing ${label}`);
      }
    } else if (next < positionals.length) {
      values[name] = positionals[next++];
    } else if (d.default !== undefined) {
      values[name] = d.default;
    } else if (isRequiredPositional(d)) {
      throw new Problem(`missing ${label}`);
    }
  }
  const extra = positionals[next];
  if (extra !== undefined) throw new Problem(unexpectedArgument(extra, flags));

  for (const flag of flags) {
    if (values[flag.name] !== undefined) continue;
    if (flag.def.repeatable) values[flag.name] = [];
    else if (flag.def.default !== undefined) values[flag.name] = flag.def.default;
    else if (flag.def.required) throw new Problem(`missing --${flag.name} ${valueHintOf(flag)}`.trimEnd());
  }
  return { _: positionals, ...values };
}

function unknownFlag(shown: string, flags: readonly Flag[]): string {
  const typed = shown.replace(/^-+/, "");
  const spelled = new Map<string, string>([["help", "--help"]]);
  for (const flag of flags) {
    spelled.set(flag.name, `--${flag.name}`);
    if (flag.def.type === "boolean") spelled.set(`no-${flag.name}`, `--no-${flag.name}`);
    for (const alias of aliasesOf(flag.def))
      spelled.set(alias, alias.length === 1 ? `-${alias}` : `--${alias}`);
  }
  const close = didYouMean(typed, [...spelled.keys()]);
  return `unknown flag ${shown}${close ? ` (did you mean ${spelled.get(close)}?)` : ""}`;
}

function unexpectedArgument(extra: string, flags: readonly Flag[]): string {
  // `forget JOB dry-run`: a flag's name written without its dashes (not `-- --dry-run`: that was meant).
  const close = extra.startsWith("-")
    ? undefined
    : didYouMean(
        extra,
        flags.map((f) => f.name),
      );
  return `unexpected argument "${extra}"${close ? ` (did you mean --${close}?)` : ""}`;
}

function negatable(flag: Flag, long: boolean): boolean {
  return long && !flag.name.startsWith("no-");
}

export function aliasesOf(def: StrictArgDef): readonly string[] {
  const alias = "alias" in def ? def.alias : undefined;
  return alias === undefined ? [] : typeof alias === "string" ? [alias] : alias;
}

/** `FILE` for `--config FILE`: the hint the help shows, else the name in capitals. */
export function valueHintOf(flag: { readonly name: string; readonly def: StrictArgDef }): string {
  if (flag.def.type === "boolean") return "";
  return flag.def.valueHint ?? flag.name.toUpperCase();
}

/** `JOB` for a positional; `JOB...` for one that takes the rest. */
export function positionalLabel(name: string, def: StrictArgDef): string {
  return `${def.valueHint ?? name.toUpperCase()}${def.variadic ? "..." : ""}`;
}

/** A positional is required unless it says otherwise or has a default; one taking the rest only if it says so. */
export function isRequiredPositional(def: StrictArgDef): boolean {
  return def.variadic ? def.required === true : def.required !== false && def.default === undefined;
}
