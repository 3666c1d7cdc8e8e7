import * as z from "zod";
import { configFileSchema } from "./schema.js";
import { passwordKeys } from "./schema-fields.js";
import { UI_NOTES } from "./ui.js";

/**
 * Where the committed JSON Schema (`schema/backup_config.schema.json`) is published: its `$id`, and what
 * `simplebackup init` writes as `"$schema"`. The file ships in the `simplebackup` npm package, so the
 * URL follows the installed version's registry copy.
 */
export const CONFIG_SCHEMA_URL = "https://unpkg.com/simplebackup/schema/backup_config.schema.json";

/** A JSON Schema document or subschema, as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * The JSON Schema of the config file (draft 2020-12) for editors: generated from `configFileSchema`,
 * with a `$id`, titles, defaults, examples, and the rules across keys that editors can check (exactly one
 * password source per job and per copy target; `delays` or `backoff`, not both). Unique job and target
 * names cannot be written in JSON Schema; the descriptions state those rules and `simplebackup validate`
 * checks them.
 */
export function buildConfigJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(configFileSchema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  const { $schema, ...rest } = generated;
  const schema: JsonSchema = {
    $schema,
    $id: CONFIG_SCHEMA_URL,
    title: "simplebackup configuration",
    ...rest,
  };
  annotate(schema, "");
  return schema;
}

/**
 * The JSON Schema as the text of `schema/backup_config.schema.json`: laid out the way the repository's
 * formatter (biome) writes JSON, so the generated file passes `biome check` unchanged.
 */
export function renderConfigJsonSchema(): string {
  return `${formatJson(buildConfigJsonSchema())}\n`;
}

// --- annotations ----------------------------------------------------------------------------------

/** What zod cannot say: titles, defaults, examples and formats, keyed by the key's place in the file. */
interface KeyNote {
  readonly title?: string;
  /** The value used when the key is left out, when it is one fixed value. */
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  /** A duration string that `parseDuration` reads: gets a `pattern` editors check. */
  readonly duration?: "value" | "items";
}

const EXAMPLE_JOB = {
  jobname: "Documents",
  sources: ["~/Documents"],
  destination: "/mnt/backup/restic-repo",
  password_file: "~/.config/simplebackup/documents.pass",
  backup_interval: "0 2 * * *",
};

const RETRY_NOTES: Record<string, KeyNote> = {
  retry: {
    title: "Retry policy",
    examples: [
      { attempts: 3, delays: ["30s", "10m"] },
      { attempts: 6, backoff: { initial: "1m", max: "1h" } },
    ],
  },
  "retry.attempts": { examples: [3] },
  "retry.delays": { examples: [["30s", "10m"]], duration: "items" },
  "retry.backoff": { title: "Exponential backoff", examples: [{ initial: "1m", factor: 2, max: "1h" }] },
  "retry.backoff.initial": { examples: ["1m"], duration: "value" },
  "retry.backoff.factor": { default: 2, examples: [3] },
  "retry.backoff.max": { examples: ["1h"], duration: "value" },
};

const EXAMPLE_TARGET = {
  name: "offsite",
  destination: "rest:https://backup.example.com:8000/laptop",
  password_file: "~/.config/simplebackup/offsite.pass",
};

const COPY_NOTES: Record<string, KeyNote> = {
  "backupjobs[].copy_to": {
    default: [],
    examples: [
      [EXAMPLE_TARGET],
      [
        {
          name: "usb",
          destination: "/media/usb/restic",
          password_env: "USB_BACKUP_PASSWORD",
          retention: { weeks: 8, months: 24 },
        },
      ],
    ],
  },
  "backupjobs[].copy_to[]": { title: "Copy target", examples: [EXAMPLE_TARGET] },
  "backupjobs[].copy_to[].name": { examples: ["offsite"] },
  "backupjobs[].copy_to[].destination": {
    examples: ["rest:https://backup.example.com:8000/laptop", "/media/usb/restic"],
  },
  "backupjobs[].copy_to[].password": { examples: ["another horse battery staple"] },
  "backupjobs[].copy_to[].password_file": { examples: ["~/.config/simplebackup/offsite.pass"] },
  "backupjobs[].copy_to[].password_command": { examples: ["pass show backup/offsite"] },
  "backupjobs[].copy_to[].password_env": { examples: ["OFFSITE_PASSWORD"] },
  "backupjobs[].copy_to[].env": {
    default: {},
    examples: [{ RESTIC_REST_USERNAME: "laptop", RESTIC_REST_PASSWORD: "…" }],
  },
  "backupjobs[].copy_to[].retention": {
    title: "Retention on the target",
    examples: [{ days: 14, weeks: 8, months: 24 }, {}],
  },
  "backupjobs[].copy_to[].retention.hours": { examples: [24] },
  "backupjobs[].copy_to[].retention.days": { examples: [14] },
  "backupjobs[].copy_to[].retention.weeks": { examples: [8] },
  "backupjobs[].copy_to[].retention.months": { examples: [24] },
  "backupjobs[].copy_to[].retention.years": { examples: [5] },
  "backupjobs[].copy_to[].retention.last": { examples: [30] },
  "backupjobs[].copy_to[].retention.within": { examples: ["1y"] },
  "backupjobs[].copy_to[].alert_after": { examples: ["3d"], duration: "value" },
};

/** A server reached over TCP, its password in the daemon's environment: the usual remote database. */
const EXAMPLE_DATABASE = {
  type: "postgresql",
  name: "app",
  host: "db.example.com",
  port: 5432,
  username: "backup",
  password_env: "APP_DB_PASSWORD",
};

const DATABASE_NOTES: Record<string, KeyNote> = {
  "backupjobs[].databases": {
    default: [],
    examples: [
      [EXAMPLE_DATABASE],
      [
        {
          type: "mariadb",
          name: "all",
          socket: "/run/mysqld/mysqld.sock",
          username: "backup",
          password_file: "~/.config/simplebackup/mariadb.pass",
        },
        { type: "sqlite", path: "/srv/app/data.db" },
      ],
    ],
  },
  "backupjobs[].databases[]": { title: "Database", examples: [EXAMPLE_DATABASE] },
  "backupjobs[].databases[].type": { examples: ["postgresql", "mariadb"] },
  "backupjobs[].databases[].name": { examples: ["app", "all"] },
  "backupjobs[].databases[].host": { examples: ["db.example.com", "127.0.0.1"] },
  "backupjobs[].databases[].port": { examples: [5432, 3306] },
  "backupjobs[].databases[].socket": { examples: ["/var/run/postgresql", "/run/mysqld/mysqld.sock"] },
  "backupjobs[].databases[].username": { examples: ["backup"] },
  "backupjobs[].databases[].password": { examples: ["correct horse battery staple"] },
  "backupjobs[].databases[].password_file": { examples: ["~/.config/simplebackup/app-db.pass"] },
  "backupjobs[].databases[].password_env": { examples: ["APP_DB_PASSWORD"] },
  "backupjobs[].databases[].options": {
    default: [],
    examples: [["--no-owner"], "--no-owner --no-privileges"],
  },
  "backupjobs[].databases[].path": { examples: ["/srv/app/data.db", "~/.local/share/app/app.sqlite"] },
};

const NOTES: Record<string, KeyNote> = {
  $schema: { examples: [CONFIG_SCHEMA_URL] },
  restic_binary: { default: "restic", examples: ["/usr/local/bin/restic"] },
  state_dir: { examples: ["~/.local/state/simplebackup"] },
  max_concurrent: { default: 1, examples: [2] },
  keep_logs: { default: 30, examples: [100] },
  skip_if_unchanged: { default: false, examples: [true] },
  ...RETRY_NOTES,
  // At the top level the built-in policy is the default; a job's retry inherits the top level instead.
  "retry.attempts": { default: 4, examples: [3] },
  "retry.delays": { default: ["1m", "5m", "15m"], examples: [["30s", "10m"]], duration: "items" },
  stale_lock_after: { default: "1h", examples: ["2h"], duration: "value" },
  backend_unreachable_after: { default: "45s", examples: ["5m"], duration: "value" },
  backupjobs: { examples: [[EXAMPLE_JOB]] },
  "backupjobs[]": { title: "Backup job", examples: [EXAMPLE_JOB] },
  "backupjobs[].jobname": { examples: ["Documents"] },
  "backupjobs[].sources": { examples: [["~/Documents", "~/Pictures"]] },
  "backupjobs[].destination": {
    examples: ["/mnt/backup/restic-repo", "sftp:backup@nas.local:/srv/restic/laptop"],
  },
  "backupjobs[].password": { examples: ["correct horse battery staple"] },
  "backupjobs[].password_file": { examples: ["~/.config/simplebackup/documents.pass"] },
  "backupjobs[].password_command": { examples: ["pass show backup/restic"] },
  "backupjobs[].password_env": { examples: ["BACKUP_PASSWORD"] },
  "backupjobs[].backup_interval": { examples: ["0 2 * * *", "*/30 9-18 * * 1-5"] },
  "backupjobs[].exclude_patterns": { default: [], examples: [["**/node_modules", "**/*.tmp"]] },
  "backupjobs[].skip_if_unchanged": { examples: [true] },
  "backupjobs[].retention": {
    title: "Retention",
    examples: [{ days: 7, weeks: 4, months: 6 }],
  },
  "backupjobs[].retention.hours": { examples: [24] },
  "backupjobs[].retention.days": { examples: [7] },
  "backupjobs[].retention.weeks": { examples: [4] },
  "backupjobs[].retention.months": { examples: [6] },
  "backupjobs[].retention.years": { examples: [2] },
  "backupjobs[].retention.last": { examples: [10] },
  "backupjobs[].retention.within": { examples: ["14d"] },
  "backupjobs[].env": {
    default: {},
    examples: [{ AWS_ACCESS_KEY_ID: "AKIA…", AWS_SECRET_ACCESS_KEY: "…" }],
  },
  "backupjobs[].tags": { default: [], examples: [["laptop"]] },
  "backupjobs[].timezone": { examples: ["Europe/Berlin"] },
  "backupjobs[].catch_up": { default: true, examples: [false] },
  "backupjobs[].jitter": { default: "0s", examples: ["10m"], duration: "value" },
  "backupjobs[].backup_on_start": { default: false, examples: [true] },
  "backupjobs[].allow_empty_sources": { default: false, examples: [true] },
  ...Object.fromEntries(Object.entries(RETRY_NOTES).map(([key, note]) => [`backupjobs[].${key}`, note])),
  "backupjobs[].stale_lock_after": { examples: ["30m"], duration: "value" },
  "backupjobs[].backend_unreachable_after": { examples: ["2m"], duration: "value" },
  "backupjobs[].alert_after": { examples: ["26h"], duration: "value" },
  "backupjobs[].check_interval": { examples: ["0 4 * * 0"] },
  "backupjobs[].check_read_data_groups": { default: 10, examples: [4] },
  "backupjobs[].drill_interval": { examples: ["0 5 1 * *"] },
  "backupjobs[].drill_files": { default: 10, examples: [25] },
  ...COPY_NOTES,
  ...DATABASE_NOTES,
  ...UI_NOTES,
  ...whenNotes("when", { on_ac_power: true }),
  ...whenNotes("backupjobs[].when", { on_ac_power: true, path_exists: "/mnt/backup" }),
  ...notifierNotes("notifications"),
  ...notifierNotes("backupjobs[].notifications"),
  metrics_file: { examples: ["/var/lib/node_exporter/textfile_collector/simplebackup.prom"] },
  "backupjobs[].hooks": {
    title: "Hooks",
    examples: [{ before: "pg_dump -Fc -f /var/backups/app.dump app", timeout: "15m" }],
  },
  "backupjobs[].hooks.before": { examples: ["pg_dump -Fc -f /var/backups/app.dump app"] },
  "backupjobs[].hooks.after": { examples: ["rm -f /var/backups/app.dump"] },
  "backupjobs[].hooks.on_success": { examples: ["curl -fsS https://hc-ping.com/your-uuid"] },
  "backupjobs[].hooks.on_failure": {
    examples: ['logger -t simplebackup "backup of $SIMPLEBACKUP_JOB failed"'],
  },
  "backupjobs[].hooks.timeout": { default: "5m", examples: ["15m"], duration: "value" },
};

/** A job's when keys default to the top level's, so only the top level's have a fixed default. */
function whenNotes(place: string, example: Record<string, unknown>): Record<string, KeyNote> {
  const fixed = place === "when" ? { default: false } : {};
  return {
    [place]: { title: "Run conditions", examples: [example] },
    [`${place}.on_ac_power`]: { ...fixed, examples: [true] },
    [`${place}.path_exists`]: { examples: ["/media/usb/restic", ["/media/usb/restic", "~/Documents"]] },
    [`${place}.reachable`]: { ...fixed, examples: [true] },
    [`${place}.command`]: { examples: ["nmcli -t -f NAME connection show --active | grep -qx HomeWifi"] },
  };
}

function notifierNotes(place: string): Record<string, KeyNote> {
  return {
    [place]: { examples: [[{ type: "desktop" }, { type: "webhook", url: "https://example.com/hook" }]] },
    [`${place}[]`]: { title: "Notifier" },
    [`${place}[].type`]: { examples: ["desktop"] },
    [`${place}[].module`]: { examples: ["./my-notifier.mjs"] },
    [`${place}[].on`]: { examples: [["failure", "success"]] },
  };
}

/**
 * A pattern equal to `parseDuration`'s grammar (units w, d, h, m, s, ms, largest first, each at most
 * once, not empty); a test holds the two together.
 */
const DURATION_PATTERN = "^(?=\\d)(?:\\d+w)?(?:\\d+d)?(?:\\d+h)?(?:\\d+m(?!s))?(?:\\d+s)?(?:\\d+ms)?$";

/** Rules across keys that JSON Schema can state, so editors flag them as the loader does. */
function addCrossKeyRules(place: string, node: JsonSchema): void {
  if (place === "backupjobs[]" || place === "backupjobs[].copy_to[]") {
    node.oneOf = passwordKeys.map((key) => ({ required: [key] }));
  }
  if (place === "backupjobs[]") {
    node.anyOf = ["sources", "databases"].map((key) => ({
      required: [key],
      properties: { [key]: { minItems: 1 } },
    }));
  }
  if (place === "backupjobs[].databases[]") addDatabaseRules(node);
  if (place === "retry" || place === "backupjobs[].retry") {
    node.not = { required: ["delays", "backoff"] };
  }
}

/** A SQLite file is found by its path, a server's database by its name; one password, host or socket. */
function addDatabaseRules(node: JsonSchema): void {
  const exclusive = [
    ["password", "password_file"],
    ["password", "password_env"],
    ["password_file", "password_env"],
    ["host", "socket"],
  ];
  node.not = { anyOf: exclusive.map((keys) => ({ required: keys })) };
  node.if = { properties: { type: { const: "sqlite" } }, required: ["type"] };
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, in a plain JSON document
  node.then = { required: ["path"] };
  node.else = { required: ["name"] };
}

/** Walks the generated schema, adding notes, patterns and cross-key rules, and dropping noise. */
function annotate(node: JsonSchema, place: string): void {
  // zod writes Number.MAX_SAFE_INTEGER as the maximum of every integer; it tells a reader nothing.
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  const note = NOTES[place];
  if (note) applyNote(node, note);
  addCrossKeyRules(place, node);
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  for (const [key, child] of Object.entries(properties ?? {})) {
    annotate(child, place === "" ? key : `${place}.${key}`);
  }
  if (isSchema(node.items)) annotate(node.items, `${place}[]`);
}

function applyNote(node: JsonSchema, note: KeyNote): void {
  // Keys a schema author set with zod's .meta() win over the notes here.
  if (note.title !== undefined) node.title ??= note.title;
  if (note.default !== undefined) node.default ??= note.default;
  if (note.examples !== undefined) node.examples ??= note.examples;
  if (note.duration === "value") node.pattern ??= DURATION_PATTERN;
  if (note.duration === "items" && isSchema(node.items)) node.items.pattern ??= DURATION_PATTERN;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// --- layout ---------------------------------------------------------------------------------------

const LINE_WIDTH = 110;

/**
 * JSON with two-space indents, as biome formats it: objects always one key per line, an array without
 * objects in it on one line when it fits, otherwise one element per line.
 */
function formatJson(value: unknown, indent = "", prefixWidth = 0): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const flat = flatJson(value);
    if (!containsObject(value) && indent.length + prefixWidth + flat.length + 1 <= LINE_WIDTH) return flat;
    const inner = `${indent}  `;
    return `[\n${value.map((item) => inner + formatJson(item, inner)).join(",\n")}\n${indent}]`;
  }
  if (isSchema(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const lines = entries.map(([key, item]) => {
      const prefix = `${JSON.stringify(key)}: `;
      return inner + prefix + formatJson(item, inner, prefix.length);
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function containsObject(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsObject);
  return isSchema(value);
}

/** An array of plain values and arrays on one line: `["a", "b"]`, `[["30s", "10m"]]`. */
function flatJson(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(flatJson).join(", ")}]` : JSON.stringify(value);
}
