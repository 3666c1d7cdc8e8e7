import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/config/duration.js";
import {
  buildConfigJsonSchema,
  CONFIG_SCHEMA_URL,
  type JsonSchema,
  renderConfigJsonSchema,
} from "../../src/config/json-schema.js";
import { resolveConfig } from "../../src/config/load.js";
import { passwordKeys } from "../../src/config/schema-fields.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const COMMITTED = `${ROOT}schema/backup_config.schema.json`;
const REGENERATE =
  "schema/backup_config.schema.json is stale: the zod schema changed. Regenerate it (and docs/configuration.md) " +
  "with `pnpm run generate`, or `pnpm --silent exec simplebackup schema > schema/backup_config.schema.json`, " +
  "after `pnpm build`";

const schema = buildConfigJsonSchema();

/** Every key's subschema by its place in the file: `retry.attempts`, `backupjobs[]`, `backupjobs[].env`. */
function places(node: JsonSchema, place = "", into = new Map<string, JsonSchema>()): Map<string, JsonSchema> {
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
    const childPlace = place === "" ? key : `${place}.${key}`;
    into.set(childPlace, child);
    places(child, childPlace, into);
  }
  const items = node.items as JsonSchema | undefined;
  if (items && typeof items === "object") {
    into.set(`${place}[]`, items);
    places(items, `${place}[]`, into);
  }
  return into;
}

const keys = [...places(schema)].filter(([place]) => !place.endsWith("[]"));

describe("buildConfigJsonSchema", () => {
  it("is a draft 2020-12 document with an $id and a title, for editors", () => {
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: CONFIG_SCHEMA_URL,
      title: "simplebackup configuration",
      type: "object",
      required: ["backupjobs"],
      additionalProperties: false,
    });
    expect(Object.keys(schema).slice(0, 3)).toEqual(["$schema", "$id", "title"]);
  });

  it("gives every key a description and an example", () => {
    expect(keys.length).toBeGreaterThan(40);
    expect(keys.filter(([, node]) => typeof node.description !== "string").map(([place]) => place)).toEqual(
      [],
    );
    const withoutExample = keys.filter(([, node]) => !Array.isArray(node.examples)).map(([place]) => place);
    expect(
      withoutExample,
      "add examples in json-schema.ts NOTES, or with .meta({ examples }) in schema.ts",
    ).toEqual([]);
  });

  it("names a fixed default where there is one, agreeing with the description's 'Default:' sentence", () => {
    const node = places(schema);
    expect(node.get("max_concurrent")?.default).toBe(1);
    expect(node.get("retry.attempts")?.default).toBe(4);
    expect(node.get("backupjobs[].catch_up")?.default).toBe(true);
    // A job's retry inherits the top level's, so it has no fixed default.
    expect(node.get("backupjobs[].retry.attempts")?.default).toBeUndefined();
    for (const [place, child] of keys) {
      const sentence = /Default: (.+?)\.?$/.exec(String(child.description))?.[1];
      if (child.default === undefined || sentence === undefined) continue;
      const written = typeof child.default === "string" ? child.default : JSON.stringify(child.default);
      const said = sentence === "none" ? "[]" : sentence.replace(/\s/g, "");
      expect(written.replace(/\s/g, ""), place).toBe(said);
    }
  });

  it("drops zod's Number.MAX_SAFE_INTEGER maximum, which tells a reader nothing", () => {
    expect(renderConfigJsonSchema()).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it("states the rules across keys that JSON Schema can express", () => {
    const node = places(schema);
    expect(node.get("backupjobs[]")?.oneOf).toEqual(passwordKeys.map((key) => ({ required: [key] })));
    expect(node.get("backupjobs[].copy_to[]")?.oneOf).toEqual(
      passwordKeys.map((key) => ({ required: [key] })),
    );
    expect(node.get("backupjobs[]")?.anyOf).toEqual([
      { required: ["sources"], properties: { sources: { minItems: 1 } } },
      { required: ["databases"], properties: { databases: { minItems: 1 } } },
    ]);
    expect(node.get("backupjobs[].databases[]")).toMatchObject({
      not: { anyOf: expect.arrayContaining([{ required: ["host", "socket"] }]) },
      if: { properties: { type: { const: "sqlite" } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else
      then: { required: ["path"] },
      else: { required: ["name"] },
    });
    expect(node.get("retry")?.not).toEqual({ required: ["delays", "backoff"] });
    expect(node.get("backupjobs[].retry")?.not).toEqual({ required: ["delays", "backoff"] });
    // Unique job names cannot be written in JSON Schema: the description says it instead.
    expect(node.get("backupjobs")?.description).toMatch(/unique/);
  });

  it.each([
    ["90s", "1h30m", "2d", "500ms", "1w2d3h4m5s6ms", "0s"],
    ["", "30", "5 m", "1m1h", "1h1h", "5ms1s", "1.5h", "-1h", "1y"],
  ])("checks durations as parseDuration reads them (%s, …)", (...texts) => {
    const pattern = new RegExp(String(places(schema).get("stale_lock_after")?.pattern), "u");
    for (const text of texts) expect(pattern.test(text), text).toBe(parseDuration(text) !== undefined);
  });

  it("has only examples that the loader accepts in their place", () => {
    const node = places(schema);
    for (const [place, child] of keys) {
      for (const example of child.examples as unknown[]) {
        const config = withJobKeys(embed(node, place, example), JOB_KEYS_BESIDE[place]);
        expect(
          () => resolveConfig(config, { baseDir: "/configs" }),
          `${place}: ${JSON.stringify(example)}`,
        ).not.toThrow();
      }
    }
  });
});

describe("schema/backup_config.schema.json", () => {
  it("is up to date with the zod schema", () => {
    expect(readCommitted(), REGENERATE).toBe(renderConfigJsonSchema());
  });

  it("is laid out as biome formats it, so `biome check` passes on a regenerated file", () => {
    const biome = spawnSync(`${ROOT}node_modules/.bin/biome`, ["format", `--stdin-file-path=${COMMITTED}`], {
      input: renderConfigJsonSchema(),
      encoding: "utf8",
    });
    expect(biome.stderr).toBe("");
    expect(biome.stdout).toBe(renderConfigJsonSchema());
  });
});

function readCommitted(): string {
  try {
    return readFileSync(COMMITTED, "utf8");
  } catch {
    return ""; // a missing file is as stale as an old one
  }
}

// --- placing one example in a whole config -----------------------------------------------------------

/** Keys of which an object holds at most one: setting one removes the others. */
const EXCLUSIVE: readonly (readonly string[])[] = [
  passwordKeys,
  ["type", "module"],
  ["delays", "backoff"],
  ["host", "socket"],
];

/** Examples that hold only in a parent of another kind than the first example: a SQLite file's path. */
const PARENT_OF: Record<string, Record<string, unknown>> = {
  "backupjobs[].databases[].path": { type: "sqlite" },
};

/** A valid config in which `place` holds `value`, built from the examples of the places around it. */
function embed(node: Map<string, JsonSchema>, place: string, value: unknown): unknown {
  if (place === "") return value;
  const dot = place.lastIndexOf(".");
  const isItem = place.endsWith("[]");
  const parentPlace = isItem ? place.slice(0, -2) : dot === -1 ? "" : place.slice(0, dot);
  if (isItem) return embed(node, parentPlace, [value]);
  const key = dot === -1 ? place : place.slice(dot + 1);
  const parent = { ...(PARENT_OF[place] ?? (exampleOf(node, parentPlace) as Record<string, unknown>)) };
  for (const group of EXCLUSIVE) if (group.includes(key)) for (const other of group) delete parent[other];
  parent[key] = value;
  return embed(node, parentPlace, parent);
}

/** Examples that hold only beside other job keys: `reachable` needs a job on a remote repository. */
const JOB_KEYS_BESIDE: Record<string, Record<string, unknown>> = {
  "backupjobs[].when.reachable": { destination: "sftp:backup@nas.local:/srv/restic/laptop" },
};

function withJobKeys(config: unknown, keys: Record<string, unknown> | undefined): unknown {
  const [job] = (config as { backupjobs: Record<string, unknown>[] }).backupjobs;
  if (job !== undefined && keys !== undefined) Object.assign(job, keys);
  return config;
}

function exampleOf(node: Map<string, JsonSchema>, place: string): unknown {
  if (place === "") return { backupjobs: exampleOf(node, "backupjobs") };
  const examples = node.get(place)?.examples;
  if (Array.isArray(examples)) return structuredClone(examples[0]);
  if (place.endsWith("[]")) return (exampleOf(node, place.slice(0, -2)) as unknown[])[0];
  throw new Error(`no example for ${place}`);
}
