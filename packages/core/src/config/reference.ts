import { buildConfigJsonSchema, type JsonSchema } from "./json-schema.js";

/**
 * Defaults that are not one fixed value, so the JSON Schema cannot carry them as `default`; keyed by
 * the key's place in the file. Every other default comes from the schema's `default`, else from the
 * "Default: …" sentence of its description.
 */
const DEFAULT_TEXT: Record<string, string> = {
  state_dir:
    "`$SIMPLEBACKUP_STATE_DIR`, else the per-user state folder: `~/.local/state/simplebackup` " +
    "(`$XDG_STATE_HOME`) on Linux, `~/Library/Application Support/simplebackup` on macOS, " +
    "`%LOCALAPPDATA%\\simplebackup` on Windows",
  "backupjobs[].skip_if_unchanged": "the top-level `skip_if_unchanged`, else `false`",
  "backupjobs[].retry": "the top-level `retry`",
  "backupjobs[].retry.attempts": "the top-level `retry.attempts`, else `4`",
  "backupjobs[].retry.delays": 'the top-level `retry` waits, else `["1m", "5m", "15m"]`',
  "backupjobs[].stale_lock_after": 'the top-level `stale_lock_after`, else `"1h"`',
  "backupjobs[].backend_unreachable_after": 'the top-level `backend_unreachable_after`, else `"45s"`',
  "backupjobs[].timezone": "the machine's local time zone",
  "backupjobs[].retention": "keep every snapshot",
  "backupjobs[].copy_to[].retention": "the job's `retention`",
  "backupjobs[].when": "the top-level `when`",
  "backupjobs[].when.on_ac_power": "the top-level `when.on_ac_power`, else `false`",
  "backupjobs[].when.path_exists": "the top-level `when.path_exists`, else none",
  "backupjobs[].when.reachable": "the top-level `when.reachable`, else `false`",
  "backupjobs[].when.command": "the top-level `when.command`, else none",
  "backupjobs[].sources": "required, unless the job lists `databases`",
  "backupjobs[].databases[].name": "required, except for `sqlite`: the file's name without its extension",
  "backupjobs[].databases[].path": "required for `sqlite`",
};

/** Types that a JSON Schema type alone undersells; keyed like DEFAULT_TEXT. */
const TYPE_TEXT: Record<string, string> = {
  "backupjobs[].backup_interval": "cron expression",
  "backupjobs[].timezone": "IANA time zone",
  "backupjobs[].retention.within": "restic duration (y, m, d, h)",
  "backupjobs[].env": "object of string values",
  "backupjobs[].copy_to[].env": "object of string values",
  "backupjobs[].copy_to[].retention.within": "restic duration (y, m, d, h)",
  "when.path_exists": "path or array of paths",
  "backupjobs[].when.path_exists": "path or array of paths",
  "backupjobs[].when.command": "string, or null to drop the top-level command",
  "backupjobs[].databases[].options": "array of strings, or a string split at spaces",
};

const INTRO = `# Configuration reference

<!-- Generated from packages/core/src/config/schema.ts by \`pnpm run generate\`. Do not edit by hand: a test fails when this file is stale. -->

simplebackup reads one JSON file. It is found at \`--config FILE\`, else \`$SIMPLEBACKUP_CONFIG\`, else
\`./backup_config.json\`, else the user config folder (\`~/.config/simplebackup/backup_config.json\` on
Linux, \`~/Library/Application Support/simplebackup/\` on macOS, \`%APPDATA%\\simplebackup\\\` on Windows).
Relative paths in it are relative to the file's folder, and \`~/\` is the home folder.

The file may hold \`//\` and \`/* … */\` comments, as \`simplebackup init\` writes it. Its JSON Schema is
committed as [\`schema/backup_config.schema.json\`](../schema/backup_config.schema.json) and printed by
\`simplebackup schema\`: point \`"$schema"\` at it and an editor completes and checks every key below.
\`simplebackup validate\` checks a file and names every problem with its place.

## Rules across keys

- Each job, and each of its \`copy_to\` targets, sets exactly one of \`password\`, \`password_file\`, \`password_command\`, \`password_env\`.
- Job names are unique in the file, and target names in their job (JSON Schema cannot say this;
  \`simplebackup validate\` checks it).
- A copy target is a second repository: never the job's own \`destination\`, nor another target's. restic
  copy reads both repositories in one process, so a variable that the job's \`env\` and the target's
  \`env\` both set must have the same value.
- A job's \`when\` overrides the top-level \`when\` key by key. \`reachable: true\` in a job's \`when\`
  needs a remote repository; a top-level \`reachable: true\` applies to the remote jobs only.
- A job lists \`sources\`, \`databases\` or both, at least one of them non-empty.
- A database sets at most one of \`password\`, \`password_file\`, \`password_env\`, and \`host\` or
  \`socket\`, not both. A \`sqlite\` database takes \`path\` (and no server keys); the others take
  \`name\` (\`"all"\` for every database of the server) and no \`path\`. Each database is listed once per job.
- A \`retry\` sets \`delays\` or \`backoff\`, not both.
- Unknown keys are errors, with a "did you mean" for a near miss; so are wrong types and values.

## Value formats

- **duration**: numbers with units, largest first, each unit once, no spaces: \`"90s"\`, \`"5m"\`,
  \`"1h30m"\`, \`"2d"\`, \`"500ms"\`. Units: \`w\`, \`d\`, \`h\`, \`m\`, \`s\`, \`ms\`. A bare number is
  rejected: \`"30"\` could mean seconds or minutes.
- **cron expression**: 5 fields (minute hour day-of-month month weekday), or 6 with seconds first:
  \`"0 2 * * *"\` is every day at 02:00, \`"*/30 9-18 * * 1-5"\` every half hour during working hours.
- **path**: relative to the config file's folder; \`~/\` is the home folder.
`;

interface KeyRow {
  /** The key's place in the file, e.g. `backupjobs[].retry.attempts`. */
  readonly place: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

/** Renders `docs/configuration.md`: every key of the config file with its type, default and example. */
export function renderConfigReference(schema: JsonSchema = buildConfigJsonSchema()): string {
  const rows = collectKeys(schema, "");
  const slugs = headingSlugs(rows.map((row) => row.place));
  const topLevel = rows.filter((row) => !row.place.startsWith("backupjobs[]"));
  const jobs = rows.filter((row) => row.place.startsWith("backupjobs[]"));
  const jobSchema = (schema.properties as Record<string, JsonSchema>).backupjobs?.items as
    | JsonSchema
    | undefined;

  const parts = [
    INTRO,
    "## All keys\n",
    renderTable(
      ["Key", "Type", "Default"],
      rows.map((row) => [
        `[\`${row.place}\`](#${slugs.get(row.place)})`,
        escapeCell(typeText(row)),
        escapeCell(defaultOf(row)),
      ]),
    ),
    "",
    "## Top-level keys\n",
    ...topLevel.map(renderKey),
    "## Job keys\n",
    `${text(jobSchema?.description)} Each entry of \`backupjobs\` is an object with these keys.\n`,
    ...jobs.map(renderKey),
  ];
  return `${parts.join("\n").trimEnd()}\n`;
}

function collectKeys(node: JsonSchema, place: string): KeyRow[] {
  const rows: KeyRow[] = [];
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, child] of Object.entries(properties)) {
    const childPlace = place === "" ? key : `${place}.${key}`;
    rows.push({ place: childPlace, schema: child, required: required.has(key) });
    rows.push(...collectKeys(child, childPlace));
  }
  if (isSchema(node.items)) rows.push(...collectKeys(node.items, `${place}[]`));
  return rows;
}

function renderKey(row: KeyRow): string {
  const { schema } = row;
  const lines = [`### \`${row.place}\`\n`, `${withoutDefaultSentence(text(schema.description))}\n`];
  lines.push(`- Type: ${typeText(row)}`);
  lines.push(`- Default: ${defaultOf(row)}`);
  const examples = Array.isArray(schema.examples) ? schema.examples : [];
  const inline = examples.map(inlineJson);
  if (inline.length > 0 && inline.every((json) => json.length <= 80)) {
    lines.push(`- Example: ${inline.map((json) => `\`${json}\``).join(", ")}`);
  } else if (examples.length > 0) {
    lines.push("- Example:\n");
    // Blocks apart by a blank line, as biome formats markdown.
    const blocks = examples.map((example) =>
      indentBlock(`\`\`\`json\n${blockJson(example, "")}\n\`\`\``, "  "),
    );
    lines.push(blocks.join("\n\n"));
  } else {
    lines.push("- Example: none yet");
  }
  return `${lines.join("\n")}\n`;
}

const DEFAULT_SENTENCE = /\s*Default: (.+?)\.?$/;

function defaultOf(row: KeyRow): string {
  if (row.required) return "required";
  const special = DEFAULT_TEXT[row.place];
  if (special !== undefined) return special;
  if (row.schema.default !== undefined) return `\`${inlineJson(row.schema.default)}\``;
  const sentence = DEFAULT_SENTENCE.exec(text(row.schema.description));
  if (sentence?.[1] !== undefined) return sentence[1];
  return "not set";
}

function withoutDefaultSentence(description: string): string {
  return description.replace(DEFAULT_SENTENCE, "");
}

function typeText(row: KeyRow): string {
  return TYPE_TEXT[row.place] ?? typeOf(row.schema);
}

/** JSON on one line with a space after each comma and colon: `{"days": 7, "weeks": 4}`. */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(", ")}]`;
  if (isSchema(value)) {
    const entries = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`);
    return `{${entries.join(", ")}}`;
  }
  return JSON.stringify(value);
}

/** JSON with one key per line, and arrays of plain values kept on one line. */
function blockJson(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (isSchema(value)) {
    const entries = Object.entries(value).map(
      ([key, item]) => `${inner}${JSON.stringify(key)}: ${blockJson(item, inner)}`,
    );
    return entries.length === 0 ? "{}" : `{\n${entries.join(",\n")}\n${indent}}`;
  }
  if (Array.isArray(value) && value.some((item) => isSchema(item) || Array.isArray(item))) {
    return `[\n${value.map((item) => inner + blockJson(item, inner)).join(",\n")}\n${indent}]`;
  }
  return inlineJson(value);
}

/** A short type a person reads: `integer ≥ 1`, `array of duration`, `object of string`. */
function typeOf(schema: JsonSchema): string {
  if (schema.pattern !== undefined && String(schema.pattern).startsWith("^(?=\\d)")) return "duration";
  const type = schema.type;
  if (type === "integer" || type === "number") {
    return schema.minimum === undefined ? String(type) : `${type} ≥ ${schema.minimum}`;
  }
  if (type === "array") {
    const items = isSchema(schema.items) ? typeOf(schema.items) : "any";
    const plural = /^(?:string|object|duration|boolean|number|integer)$/.test(items) ? `${items}s` : items;
    return `${schema.minItems === undefined ? "" : "non-empty "}array of ${plural}`;
  }
  if (type === "object" && isSchema(schema.additionalProperties) && schema.properties === undefined) {
    return `object of ${typeOf(schema.additionalProperties)}`;
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  return typeof type === "string" ? type : "any";
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
function headingSlugs(places: readonly string[]): Map<string, string> {
  const seen = new Map<string, number>();
  const slugs = new Map<string, string>();
  const reserved = ["configuration-reference", "rules-across-keys", "all-keys", "top-level-keys", "job-keys"];
  for (const heading of reserved) seen.set(heading, 1);
  for (const place of places) {
    const base = place
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.set(place, count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** A markdown table with padded columns, as biome formats markdown, so the file passes `biome check`. */
function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (text: string) => [...text].length;
  const widths = header.map((title, column) =>
    Math.max(width(title), 3, ...rows.map((row) => width(row[column] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell + " ".repeat((widths[column] ?? 0) - width(cell))).join(" | ")} |`;
  return [line(header), line(widths.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

function escapeCell(value: string): string {
  return value.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function indentBlock(block: string, indent: string): string {
  return block
    .split("\n")
    .map((line) => (line === "" ? line : indent + line))
    .join("\n");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
