import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfigText, resolveConfig } from "../../packages/core/src/config/load.js";
import { ConfigError } from "../../packages/core/src/errors.js";
import { parseResticLine } from "../../packages/core/src/restic/messages.js";

/**
 * Bad input at scale: random and mutated configs never crash the loader (only ConfigError), and every
 * problem names where it is. Problems about the whole document (not JSON, empty, not an object) have
 * no path to name, so those are recognised by their message. Seeded, so a failure reproduces.
 */
const SEED = 20261125;
const RUNS = 400;
const options = { baseDir: "/tmp/sb-fuzz", homedir: "/tmp/sb-fuzz-home", file: "/tmp/sb-fuzz/config.json" };

const VALID = {
  restic_binary: "restic",
  notifications: [{ type: "command", command: "/bin/true", args: ["x"], on: ["failure", "success"] }],
  backupjobs: [
    {
      jobname: "Photos",
      sources: ["./photos", "~/docs"],
      destination: "./repo",
      password: "secret",
      backup_interval: "0 2 * * *",
      retention: { last: 3, days: 7 },
      retry: { attempts: 3, delays: ["1m", "5m"] },
      env: { AWS_ACCESS_KEY_ID: "id" },
      exclude_patterns: ["*.tmp"],
      tags: ["a"],
      catch_up: true,
    },
    {
      jobname: "Docs",
      sources: ["/srv/docs"],
      destination: "sftp:user@host:/srv/restic",
      password_file: "./pw.txt",
      backup_interval: "*/5 * * * * *",
    },
  ],
};

const WHOLE_DOCUMENT = /^(invalid JSON at line \d+, column \d+|the file is empty|expected a JSON object)/;

function checkRejection(error: unknown, input: unknown): void {
  if (!(error instanceof ConfigError)) {
    throw new Error(`not a ConfigError for ${JSON.stringify(input)?.slice(0, 300)}: ${String(error)}`);
  }
  expect(error.code).toBe("CONFIG_INVALID");
  expect(error.problems.length).toBeGreaterThan(0);
  for (const problem of error.problems) {
    expect(typeof problem.message).toBe("string");
    expect(problem.message.length).toBeGreaterThan(0);
    if (problem.path === "") expect(problem.message).toMatch(WHOLE_DOCUMENT);
  }
  // A document that is an object never gets a path-less problem.
  if (input !== null && typeof input === "object" && !Array.isArray(input)) {
    for (const problem of error.problems) expect(problem.path, problem.message).not.toBe("");
  }
}

function tryResolve(input: unknown): void {
  try {
    resolveConfig(input, options);
  } catch (error) {
    checkRejection(error, input);
  }
}

function tryParse(text: string): void {
  try {
    parseConfigText(text, options);
  } catch (error) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    checkRejection(error, parsed);
  }
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push(...paths(item, [...prefix, i]));
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  }
  return out;
}

type Mutation =
  | { kind: "set"; value: unknown }
  | { kind: "delete" }
  | { kind: "add"; key: string; value: unknown };

function mutate(base: unknown, path: Path, mutation: Mutation): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  if (path.length === 0) return mutation.kind === "set" ? mutation.value : copy;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (mutation.kind === "set") parent[last] = mutation.value;
  else if (mutation.kind === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (target !== null && typeof target === "object" && !Array.isArray(target)) {
      (target as Record<string, unknown>)[mutation.key] = mutation.value;
    }
  }
  return copy;
}

const allPaths = paths(VALID);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    value: fc.constantFrom(
      "",
      " ",
      "-1",
      "* * *",
      "99 99 99 * *",
      "~",
      "../..",
      "\0",
      "1x",
      -1,
      0,
      1.5,
      1e308,
    ),
  }),
  fc.constant({ kind: "delete" as const }),
  fc.record({
    kind: fc.constant("add" as const),
    key: fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "password", "password_env")),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
);

describe("config loader under random input (fast-check)", () => {
  it("accepts the unmutated base config", () => {
    expect(resolveConfig(VALID, options).jobs).toHaveLength(2);
  });

  it("random JSON values only ever give a ConfigError naming a path", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), tryResolve), { seed: SEED, numRuns: RUNS });
  });

  it("random objects shaped like a config only ever give a ConfigError naming a path", () => {
    const job = fc.dictionary(
      fc.constantFrom(
        "jobname",
        "sources",
        "destination",
        "password",
        "password_file",
        "password_command",
        "password_env",
        "backup_interval",
        "retention",
        "retry",
        "env",
        "timezone",
        "catch_up",
        "exclude_patterns",
        "jitter",
        "hooks",
        "tags",
        "notifications",
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(
        fc.record({ backupjobs: fc.array(job, { maxLength: 3 }) }, { requiredKeys: [] }),
        tryResolve,
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("mutated valid configs (one to three edits) only ever give a ConfigError naming a path", () => {
    const edits = fc.array(fc.tuple(fc.constantFrom(...allPaths), mutationArb), {
      minLength: 1,
      maxLength: 3,
    });
    fc.assert(
      fc.property(edits, (list) => {
        let config: unknown = VALID;
        for (const [path, mutation] of list) {
          try {
            config = mutate(config, path, mutation);
          } catch {
            // The path no longer exists after an earlier edit: skip this edit.
          }
        }
        tryResolve(config);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("random and truncated text only ever gives a ConfigError", () => {
    const text = JSON.stringify(VALID, null, 2);
    const truncated = fc.nat({ max: text.length }).map((n) => text.slice(0, n));
    const spliced = fc
      .tuple(fc.nat({ max: text.length }), fc.string({ maxLength: 5 }))
      .map(([n, s]) => text.slice(0, n) + s + text.slice(n));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), truncated, spliced), tryParse),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe("restic output parser under random input (fast-check)", () => {
  const lines = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record({
        message_type: fc.constantFrom("status", "summary", "error", "exit_error", "verbose_status", "x"),
        rest: fc.dictionary(
          fc.constantFrom(
            "percent_done",
            "snapshot_id",
            "error",
            "item",
            "during",
            "total_files",
            "current_files",
            "action",
            "code",
            "message",
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      })
      .map(({ message_type, rest }) => JSON.stringify({ message_type, ...rest })),
    fc
      .jsonValue()
      .map((v) => JSON.stringify({ message_type: "summary", v }))
      .chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(0, n))),
    fc.constant(`{"message_type":"status","current_files":["${"x".repeat(1_000_000)}"]}`),
    fc.constant("x".repeat(2_000_000)),
  );

  it("never throws", () => {
    fc.assert(
      fc.property(lines, (line) => {
        const result = parseResticLine(line);
        if (result !== undefined) expect(typeof result.message_type).toBe("string");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
