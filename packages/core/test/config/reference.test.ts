import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildConfigJsonSchema, type JsonSchema } from "../../src/config/json-schema.js";
import { renderConfigReference } from "../../src/config/reference.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const COMMITTED = `${ROOT}docs/configuration.md`;
const REGENERATE =
  "docs/configuration.md is stale: the zod schema changed. Regenerate it with `pnpm build && pnpm run generate`";

const reference = renderConfigReference();

/** Each `### \`key\`` section of the reference, by key. */
function sections(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of markdown.split(/^### /m).slice(1)) {
    const key = /^`(.+?)`/.exec(part)?.[1];
    if (key) found.set(key, part);
  }
  return found;
}

function schemaKeys(node: JsonSchema, place = ""): string[] {
  const keys: string[] = [];
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
    const childPlace = place === "" ? key : `${place}.${key}`;
    keys.push(childPlace, ...schemaKeys(child, childPlace));
  }
  if (node.items && typeof node.items === "object")
    keys.push(...schemaKeys(node.items as JsonSchema, `${place}[]`));
  return keys;
}

describe("renderConfigReference", () => {
  const bySection = sections(reference);

  it("has a section for every key of the schema, in the schema's order", () => {
    expect([...bySection.keys()]).toEqual(schemaKeys(buildConfigJsonSchema()));
  });

  it("gives every key its type, default and example", () => {
    for (const [key, section] of bySection) {
      expect(section, key).toMatch(/^- Type: \S/m);
      expect(section, key).toMatch(/^- Default: \S/m);
      expect(section, key).toMatch(/^- Example: \S|^- Example:\n\n {2}```json/m);
      expect(section, key).not.toContain("none yet");
    }
  });

  it.each([
    ["backupjobs[].jobname", "string", "required", '`"Documents"`'],
    ["max_concurrent", "integer ≥ 1", "`1`", "`2`"],
    ["retry.delays", "non-empty array of durations", '`["1m", "5m", "15m"]`', '`["30s", "10m"]`'],
    ["backupjobs[].retry.attempts", "integer ≥ 1", "the top-level `retry.attempts`, else `4`", "`3`"],
    ["backupjobs[].backup_interval", "cron expression", "required", '`"0 2 * * *"`'],
    ["backupjobs[].catch_up", "boolean", "`true`", "`false`"],
    ["backupjobs[].jitter", "duration", '`"0s"`', '`"10m"`'],
    ["backupjobs[].env", "object of string values", "`{}`", '`{"AWS_ACCESS_KEY_ID": "AKIA…", '],
  ])("describes %s", (key, type, fallback, example) => {
    const section = bySection.get(key) ?? "";
    expect(section).toContain(`- Type: ${type}\n`);
    expect(section).toContain(`- Default: ${fallback}\n`);
    expect(section).toContain(`- Example: ${example}`);
  });

  it("takes a default from the description when it is not one fixed value", () => {
    expect(bySection.get("backupjobs[].exclude_patterns")).toContain("- Default: `[]`");
    expect(bySection.get("state_dir")).toContain("- Default: `$SIMPLEBACKUP_STATE_DIR`, else");
    // The description's "Default: …" sentence moves to the Default line instead of repeating.
    expect(bySection.get("keep_logs")).toContain("How many per-run log files to keep for each job.\n");
  });

  it("links every row of the key table to its section's GitHub anchor", () => {
    const anchors = [...reference.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
    const expected = [...bySection.keys()].map((key) =>
      key
        .toLowerCase()
        .replace(/[^\p{L}\p{N}_\- ]/gu, "")
        .replace(/ /g, "-"),
    );
    expect(anchors).toEqual(expected);
    expect(new Set(anchors).size).toBe(anchors.length);
  });

  it("states the rules across keys", () => {
    expect(reference).toContain(
      "exactly one of `password`, `password_file`, `password_command`, `password_env`",
    );
    expect(reference).toContain("Job names are unique");
  });
});

describe("docs/configuration.md", () => {
  it("is up to date with the zod schema", () => {
    let committed = "";
    try {
      committed = readFileSync(COMMITTED, "utf8");
    } catch {
      // a missing file is as stale as an old one
    }
    expect(committed, REGENERATE).toBe(reference);
  });

  it("is laid out as biome formats markdown, so `biome check` passes on a regenerated file", () => {
    const biome = spawnSync(`${ROOT}node_modules/.bin/biome`, ["format", `--stdin-file-path=${COMMITTED}`], {
      input: reference,
      encoding: "utf8",
    });
    expect(biome.stderr).toBe("");
    expect(biome.stdout).toBe(reference);
  });
});
