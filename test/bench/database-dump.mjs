// P7 (issue 16): backing up a ~200 MiB PostgreSQL database through `simplebackup backup` against
// `pg_dump | restic backup --stdin` typed by hand, once per restic under test, side by side. restic
// 0.17+ runs pg_dump itself under simplebackup (`--stdin-from-command`); there a third side C runs that
// same restic command bare, so A − C is simplebackup's own cost and C − B what restic's way costs.
//
// Fairness: every side backs up into a repository of its own, and each starts with one full backup of
// the same data (untimed for the ratio, reported), so in every round all repositories hold the same
// chunks. Before each round (not between its sides) the table gains the same few new rows, so each
// timed backup reads the whole dump, dedups all but its tail and stores that tail: a daily backup
// of a database that grows, the same work on every side.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmtList, seconds } from "./lib/format.mjs";
import { alternate, median, paired, timeCommand } from "./lib/measure.mjs";
import { benchEnv } from "./lib/restics.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const JOB = "p7";
const DATABASE = "big";
const ROWS_PER_ROUND = 10_000;

/** P7 for every restic: `bench` is run.mjs's context (core, work, log, rows, notes, details, quick, rounds, cliBin). */
export async function benchDatabaseDump(bench, restics) {
  const { work, log, quick } = bench;
  const dir = path.join(work, "p7");
  mkdirSync(dir, { recursive: true });
  const harness = await loadPostgresHarness(path.join(dir, "harness"));
  const server = new harness.PostgresServer(path.join(dir, "pg"));
  try {
    await server.start();
  } catch (error) {
    // A machine without PostgreSQL still gets the other figures; the report says why P7 is missing.
    if (error.code !== "NOT_INSTALLED") throw error;
    log(`P7 skipped: ${error.message}`);
    bench.notes.push(`P7 skipped: ${error.message}`);
    return;
  }
  try {
    const minBytes = (quick ? 50 : 200) * 1024 ** 2;
    const database = await harness.createLargeDatabase(server, DATABASE, minBytes);
    const mib = (database.dumpBytes / 1024 ** 2).toFixed(0);
    log(
      `P7: database ${DATABASE}, ${database.rows} rows, dump ${mib} MiB, made in ${database.seconds.toFixed(1)} s`,
    );
    const setups = restics.map((restic, index) =>
      createDumpSetup(bench, dir, { harness, server }, restic, index),
    );
    for (const setup of setups) await firstBackups(bench, setup);
    await compare(bench, { harness, server, database }, setups);
  } finally {
    await server.stop();
  }
}

/**
 * The test suite's PostgresServer and large-database helper (test/e2e/servers/), stripped of their types
 * with the workspace's TypeScript into `dir`: the bench stays plain Node, and the server and the data
 * are defined once, in the files the e2e test uses.
 */
async function loadPostgresHarness(dir) {
  const { default: ts } = await import("typescript");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  const servers = path.join(REPO, "test/e2e/servers");
  for (const name of ["server-process", "postgres-server", "large-postgres-database"]) {
    const source = readFileSync(path.join(servers, `${name}.ts`), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(path.join(dir, `${name}.js`), outputText);
  }
  const load = (name) => import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  const [{ PostgresServer }, large] = await Promise.all([
    load("postgres-server"),
    load("large-postgres-database"),
  ]);
  return { PostgresServer, ...large };
}

/** One restic's repositories, the config of the P7 job, and the three commands. */
function createDumpSetup(bench, dir, { harness, server }, restic, index) {
  const { cliBin } = bench;
  const folder = path.join(dir, `restic-${index}`);
  mkdirSync(folder, { recursive: true });
  const passwordFile = path.join(folder, "password.txt");
  writeFileSync(passwordFile, "bench-password\n");
  const repos = {
    a: path.join(folder, "repo-a"),
    b: path.join(folder, "repo-b"),
    c: path.join(folder, "repo-c"),
  };
  const configFile = path.join(folder, "backup_config.json");
  const config = {
    backupjobs: [
      {
        jobname: JOB,
        databases: [
          {
            type: "postgresql",
            name: DATABASE,
            host: server.host,
            port: server.port,
            username: server.user,
            password_env: "BENCH_PG_PASSWORD",
          },
        ],
        destination: repos.a,
        password_file: passwordFile,
        backup_interval: "0 3 * * *",
      },
    ],
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const baseEnv = benchEnv(path.join(folder, "restic-cache"));
  for (const key of Object.keys(baseEnv)) if (key.startsWith("PG")) delete baseEnv[key];
  // As simplebackup runs restic (password file, 2 status lines a second), and pg_dump's password.
  const resticEnv = (repository) => ({
    ...baseEnv,
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD_FILE: passwordFile,
    RESTIC_PROGRESS_FPS: "2",
    PGPASSWORD: server.password,
  });
  const { major, minor } = restic.parsed;
  return {
    index,
    restic,
    repos,
    resticEnv,
    fromCommand: major > 0 || minor >= 17,
    // Filled from simplebackup's own first snapshot: its tags and file name, so the snapshots match.
    backupArgs: undefined,
    simplebackup: () =>
      timeCommand(process.execPath, [cliBin, "backup", JOB, "--config", configFile], {
        env: {
          ...baseEnv,
          RESTIC_BINARY: restic.binary,
          SIMPLEBACKUP_STATE_DIR: path.join(folder, "state"),
          BENCH_PG_PASSWORD: server.password,
        },
      }),
    // simplebackup's flags; the connection on argv, as a person types it (simplebackup sets PG* variables).
    dumpArgs: harness.pgDumpArgs(server, DATABASE),
  };
}

/** `pg_dump ... | restic backup --stdin ...`, as typed in bash; pipefail, so a failed dump fails the side. */
function byHand(setup) {
  const line = `set -o pipefail; pg_dump ${setup.dumpArgs.map(quote).join(" ")} | ${quote(setup.restic.binary)} ${[...setup.backupArgs, "--stdin"].map(quote).join(" ")}`;
  return timeCommand("bash", ["-c", line], { env: setup.resticEnv(setup.repos.b) });
}

/** What simplebackup runs on restic 0.17+, bare: restic starts pg_dump (found on PATH) itself. */
function fromCommand(setup) {
  const pgDump = which("pg_dump");
  return timeCommand(
    setup.restic.binary,
    [...setup.backupArgs, "--stdin-from-command", "--", pgDump, ...setup.dumpArgs],
    { env: setup.resticEnv(setup.repos.c) },
  );
}

/**
 * Creates the repositories and fills each with one full backup of the database: simplebackup's first,
 * whose snapshot gives the tags and file name the other sides pass, then the others'. Their times are
 * reported as a detail (a first, full backup: nothing dedups).
 */
async function firstBackups(bench, setup) {
  const { log, details } = bench;
  const version = setup.restic.version;
  const sides = setup.fromCommand ? ["a", "b", "c"] : ["a", "b"];
  for (const side of sides) {
    await timeCommand(setup.restic.binary, ["init"], { env: setup.resticEnv(setup.repos[side]) });
  }
  log(`P7: first (full) backups with restic ${version}: ${sides.join(", ")}`);
  const first = { a: await setup.simplebackup() };
  const snapshot = latestSnapshot(setup, "a");
  setup.backupArgs = [
    "backup",
    "--json",
    ...snapshot.tags.flatMap((tag) => ["--tag", tag]),
    "--stdin-filename",
    snapshot.paths[0],
  ];
  first.b = await byHand(setup);
  if (setup.fromCommand) first.c = await fromCommand(setup);
  for (const side of sides.slice(1)) {
    const other = latestSnapshot(setup, side);
    if (JSON.stringify([other.tags, other.paths]) !== JSON.stringify([snapshot.tags, snapshot.paths]))
      throw new Error(`P7: side ${side}'s snapshot differs from simplebackup's: ${JSON.stringify(other)}`);
  }
  details.push(
    `P7 (restic ${version}) first, full backup (ms): simplebackup ${first.a.ms.toFixed(0)}, by hand ${first.b.ms.toFixed(0)}` +
      `${first.c ? `, restic --stdin-from-command bare ${first.c.ms.toFixed(0)}` : ""}`,
  );
}

/** The counted rounds: every side of every restic in turn, the same new rows before each round. */
async function compare(bench, { harness, server, database }, setups) {
  const { log, rows, notes, details, rounds } = bench;
  const n = rounds(5, 2);
  const sides = {};
  for (const setup of setups) {
    sides[`${setup.index}/a`] = () => setup.simplebackup();
    sides[`${setup.index}/b`] = () => byHand(setup);
    if (setup.fromCommand) sides[`${setup.index}/c`] = () => fromCommand(setup);
  }
  log(`P7: ${n} rounds of ${Object.keys(sides).join(" ")}, ${ROWS_PER_ROUND} new rows before each round`);
  const load = [];
  let added = 0;
  const samples = await alternate({
    rounds: n,
    warmup: 0,
    sides,
    before: async (side) => {
      if (side !== Object.keys(sides)[0]) return;
      load.push(os.loadavg()[0]);
      const from = database.rows + added + 1;
      added += ROWS_PER_ROUND;
      await harness.appendRows(server, DATABASE, from, ROWS_PER_ROUND);
    },
    onSample: (side, round, value) => log(`P7 ${side} #${round}: ${value.ms.toFixed(0)} ms`),
  });
  notes.push(
    `P7: a ${(database.dumpBytes / 1024 ** 2).toFixed(0)} MiB pg_dump (${database.rows} rows, +${ROWS_PER_ROUND} before each round), ` +
      `each side into its own repository seeded by one full backup; load (1-minute average before each round) median ` +
      `${median(load).toFixed(2)}, ${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)}, on ${os.cpus().length} cores.`,
  );
  for (const setup of setups) {
    const of = (side, key) => (samples[`${setup.index}/${side}`] ?? []).map((one) => one[key]);
    const [a, b, c] = ["a", "b", "c"].map((side) => of(side, "ms"));
    const version = setup.restic.version;
    rows.push({
      id: "P7",
      restic: version,
      what: `\`simplebackup backup\` of a ${(database.dumpBytes / 1024 ** 2).toFixed(0)} MiB PostgreSQL database vs \`pg_dump | restic backup --stdin\` by hand`,
      a: seconds(median(a)),
      b: seconds(median(b)),
      ratio: `${(median(a) / median(b)).toFixed(3)}×`,
      target: "≤ 1.05×",
      met: median(a) / median(b) <= 1.05,
    });
    if (setup.fromCommand) {
      rows.push({
        id: "P7x",
        restic: version,
        what: "(reference) restic alone: `restic backup --stdin-from-command -- pg_dump` (what simplebackup runs) vs the pipe by hand",
        a: seconds(median(c)),
        b: seconds(median(b)),
        ratio: `${(median(c) / median(b)).toFixed(3)}×`,
        target: "—",
        met: undefined,
      });
    }
    const cpu = ["a", "b", "c"].map((side) => of(side, "cpuMs"));
    details.push(
      `P7 (restic ${version}) samples (ms): simplebackup ${fmtList(a)}; by hand ${fmtList(b)}` +
        `${c.length ? `; --stdin-from-command bare ${fmtList(c)}` : ""}; median of per-round ratios ${paired(a, b)}× (P7)` +
        `${c.length ? `, ${paired(c, b)}× (P7x)` : ""}; CPU time (user + system of every process, median ms): ` +
        `simplebackup ${median(cpu[0]).toFixed(0)}, by hand ${median(cpu[1]).toFixed(0)}` +
        `${c.length ? `, bare ${median(cpu[2]).toFixed(0)}` : ""}`,
    );
  }
}

/** The newest snapshot of a side's repository: its tags and paths. */
function latestSnapshot(setup, side) {
  const result = spawnSync(setup.restic.binary, ["snapshots", "--json", "--latest", "1"], {
    env: setup.resticEnv(setup.repos[side]),
    encoding: "utf8",
  });
  const list = result.status === 0 ? JSON.parse(result.stdout) : [];
  const snapshot = list.at(-1);
  if (!snapshot) throw new Error(`P7: no snapshot in ${setup.repos[side]}: ${result.stderr}`);
  return { tags: snapshot.tags ?? [], paths: snapshot.paths };
}

/** A program's path on PATH, as simplebackup finds its dump tool. */
function which(name) {
  for (const folder of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(folder, name);
    if (folder && spawnSync("test", ["-x", candidate]).status === 0) return candidate;
  }
  throw new Error(`P7: ${name} is not on PATH (apt-get install postgresql-client)`);
}

/** One word for bash: single quotes, with any single quote spelled out. */
function quote(word) {
  return `'${String(word).replaceAll("'", `'\\''`)}'`;
}
