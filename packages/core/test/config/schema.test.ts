import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { type ConfigFile, configFileSchema } from "../../src/config/schema.js";

type JsonSchema = {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
};

/** Every key of every object in the schema, with the description it carries. */
function keysOf(schema: JsonSchema, place = ""): [string, string | undefined][] {
  const keys: [string, string | undefined][] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    keys.push([`${place}${key}`, child.description], ...keysOf(child, `${place}${key}.`));
  }
  if (schema.items) keys.push(...keysOf(schema.items, `${place}[].`));
  return keys;
}

describe("configFileSchema", () => {
  const jsonSchema = z.toJSONSchema(configFileSchema) as JsonSchema;

  it("converts to JSON Schema with a description on every key", () => {
    const keys = keysOf(jsonSchema);
    expect(keys.map(([key]) => key)).toContain("backupjobs.[].retention.within");
    expect(keys.filter(([, description]) => !description)).toEqual([]);
  });

  it("rejects unknown keys in every object, so editors flag typos too", () => {
    const job = jsonSchema.properties?.backupjobs?.items;
    expect(jsonSchema.additionalProperties).toBe(false);
    expect(job?.additionalProperties).toBe(false);
    expect(job?.properties?.retention?.additionalProperties).toBe(false);
  });

  it("infers the file's type", () => {
    type Job = ConfigFile["backupjobs"][number];
    expectTypeOf<Job["jobname"]>().toEqualTypeOf<string>();
    expectTypeOf<Job["password_env"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<Job["retention"]>["days"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Job["env"]>().toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<ConfigFile["state_dir"]>().toEqualTypeOf<string | undefined>();
  });
});
