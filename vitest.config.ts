import { availableParallelism } from "node:os";
import { delimiter, join } from "node:path";
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { resticsUnderTest } from "./test/support/restics-under-test.js";

// Files that run restic run once per restic version (a project each, so a failure names its
// version); everything else runs once. A file in the `unit` project that starts restic anyway fails:
// its RESTIC_BINARY and PATH lead to test/support/no-restic/restic, which says where to move it.
const RUNS_RESTIC = [
  "packages/*/test/**/*.integration.test.ts",
  "packages/core/test/actions/{check,database-retention,drill,forget,forget-guard,restore,unlock}.test.ts",
  "packages/core/test/scheduler/{backup-scheduler,repository-turns}.test.ts",
  "test/e2e/{backup,commands,daemon,dashboard,dashboard-snapshots,database-stream,embed-example,interrupt,library,notify,outcomes}.test.ts",
  "test/e2e/{copies-and-conditions,output-contract,packaging,remote,repository-lock,restore-db,restore-db-beyond-config,setup-commands}.test.ts",
  "test/faults/{broken-config,live-lock,partial,passwords,remote-lock,secrets,sigkill,signals,soak}.test.ts",
];
// Files whose types are the test: checked with tsc by the unit project, once.
const TYPE_TESTS = [
  "packages/core/test/config/schema.test.ts",
  "packages/core/test/scheduler/backup-scheduler.test.ts",
  "packages/notifier/test/types.test.ts",
];
const ALL = ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"];

const root = import.meta.dirname;
const path = process.env.PATH ?? "";

const resticProjects = resticsUnderTest(root).map(
  ({ binary, version }): TestProjectInlineConfiguration => ({
    extends: true,
    test: {
      name: `restic-${version}`,
      include: RUNS_RESTIC,
      env: {
        // The stand-in execs the real binary; it only makes new test repositories' keys cheap.
        RESTIC_BINARY: join(root, "test/support/bin/restic"),
        SIMPLEBACKUP_TEST_REAL_RESTIC: binary,
        PATH: [join(root, "test/support/bin"), path].join(delimiter),
      },
    },
  }),
);

export default defineConfig({
  test: {
    // Integration tests spawn restic, so files run in parallel and share repositories within a file.
    // They spend much of their time waiting on restic, servers and timers, so one file more than the
    // machine has cores keeps the cores busy (vitest's default, cores - 1, ran one file at a time on 2).
    pool: "forks",
    maxWorkers: availableParallelism() + 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ALL,
          exclude: [...configDefaults.exclude, ...RUNS_RESTIC],
          // The type tests (`expectTypeOf`, `@ts-expect-error`) fail here too, not only in `pnpm typecheck`.
          typecheck: {
            enabled: true,
            include: TYPE_TESTS,
            tsconfig: join(root, "tsconfig.test.json"),
          },
          env: {
            RESTIC_BINARY: join(root, "test/support/no-restic/restic"),
            PATH: [join(root, "test/support/no-restic"), path].join(delimiter),
          },
        },
      },
      ...resticProjects,
    ],
  },
});
