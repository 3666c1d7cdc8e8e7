import type { BackupJob } from "../../src/config/types.js";

/**
 * A complete job with quiet defaults, so a test names only what it is about. Sources and repository
 * follow the name unless given.
 */
export function makeJob(overrides: Partial<BackupJob> = {}): BackupJob {
  const name = overrides.name ?? "docs";
  return {
    name,
    sources: [`/data/${name}`],
    databases: [],
    repository: `/repos/${name}`,
    password: { kind: "literal", value: "pw" },
    schedule: "0 * * * *",
    excludes: [],
    skipIfUnchanged: false,
    retention: undefined,
    env: {},
    tags: [],
    timezone: "UTC",
    catchUp: true,
    jitterMs: 0,
    backupOnStart: false,
    allowEmptySources: false,
    retry: { attempts: 3, delaysMs: [60_000, 300_000] },
    staleLockAfterMs: 3_600_000,
    backendUnreachableAfterMs: 45_000,
    alertAfterMs: undefined,
    notifications: [],
    hooks: undefined,
    check: undefined,
    drill: undefined,
    copyTo: [],
    when: undefined,
    ...overrides,
  };
}

/**
 * A valid job as a config file spells it (`backupjobs[]` keys, before resolving); config tests
 * override one key at a time.
 */
export function configJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jobname: "Docs",
    sources: ["./docs"],
    destination: "./repo",
    password: "secret",
    backup_interval: "0 2 * * *",
    ...overrides,
  };
}
