// P1 and P2, the benchmarks that back up: simplebackup's backup against restic typed by hand, once per
// restic under test (`--restic`, repeatable). Each restic backs up its own copy of the same seeded
// tree into its own repositories, and the rounds of all of them alternate in one loop, so a neighbour's
// load hits every version alike. Only ratios within one version are figures; absolute times are
// reported, never compared across versions or asserted.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createMutator, EXCLUDES, generateTree, TREE_SIZES } from "./lib/data.mjs";
import { fmtList, seconds } from "./lib/format.mjs";
import { alternate, median, paired, timeCommand, timeSequence } from "./lib/measure.mjs";
import { benchEnv } from "./lib/restics.mjs";

/**
 * Generates one tree per restic (the same seed, so byte-identical) and a setup for each: config,
 * password file, repositories, cache and state folders, and the commands both sides run.
 * `bench` is run.mjs's context: core, work, log, details, quick, seed.
 */
export function prepareBackups(bench, restics) {
  const { work, log, quick, seed } = bench;
  const sizes = quick ? TREE_SIZES.quick : TREE_SIZES.full;
  return restics.map((restic, index) => {
    const started = Date.now();
    const tree = generateTree(path.join(work, `data-${index}`), sizes, seed);
    const mb = (tree.bytes / 1024 ** 2).toFixed(0);
    log(
      `generated ${tree.files} files, ${mb} MB in ${((Date.now() - started) / 1000).toFixed(1)} s for restic ${restic.version}`,
    );
    bench.data = `${tree.files.toLocaleString("en-US")} files, ${mb} MB in 3 sources (seed ${seed})${restics.length > 1 ? ", one copy per restic" : ""}`;
    return createBackupSetup(bench, tree, restic, index);
  });
}

/** A config with the two bench jobs, a password file, and what a person would type to do the same. */
function createBackupSetup(bench, tree, restic, index) {
  const { core, work, cliBin, quick, seed } = bench;
  const dir = path.join(work, `setup-${index}`);
  mkdirSync(dir, { recursive: true });
  const passwordFile = path.join(dir, "password.txt");
  writeFileSync(passwordFile, "bench-password\n");
  // The repositories' parent must exist: simplebackup refuses to create a repository whose parent
  // folder is missing (an unmounted drive, to it).
  const repos = path.join(work, `repos-${index}`);
  mkdirSync(repos, { recursive: true });
  const repoP1 = path.join(repos, "p1");
  const repoP2 = path.join(repos, "p2");
  const retention = { hours: 24, days: 7, weeks: 4, months: 6, years: 1 };
  const job = (jobname, destination, backup_interval) => ({
    jobname,
    sources: tree.sources,
    destination,
    password_file: passwordFile,
    backup_interval,
    exclude_patterns: EXCLUDES,
  });
  const config = {
    backupjobs: [{ ...job("p1", repoP1, "0 3 * * *"), retention }, job("p2", repoP2, "0 4 * * *")],
  };
  const configFile = path.join(dir, "backup_config.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // The library's own loader and builders, so the "by hand" side passes exactly the flags it passes.
  const resolved = core.parseConfigText(JSON.stringify(config), { file: configFile, baseDir: dir });
  const [jobP1, jobP2] = resolved.jobs;

  const baseEnv = benchEnv(path.join(work, `restic-cache-${index}`));
  // simplebackup finds the restic under test through RESTIC_BINARY (the config names none).
  const cliEnv = {
    ...baseEnv,
    RESTIC_BINARY: restic.binary,
    SIMPLEBACKUP_STATE_DIR: path.join(work, `state-${index}`),
  };
  // The adapter's environment: repository and password file, and 2 status lines a second.
  const resticEnv = (repository) => ({
    ...baseEnv,
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD_FILE: passwordFile,
    RESTIC_PROGRESS_FPS: "2",
  });
  const cli = (...args) => [process.execPath, [cliBin, ...args, "--config", configFile], { env: cliEnv }];
  const command = (repository, args) => [restic.binary, args, { env: resticEnv(repository) }];
  return {
    index,
    restic,
    tree,
    jobP1,
    jobP2,
    repoP1,
    repoP2,
    cli,
    command,
    resticEnv,
    mutate: createMutator(tree, seed, quick ? 5 : 20),
  };
}

/**
 * `restic backup` arguments as a person types them for a job: simplebackup's own flags, but each
 * exclude pattern as the config writes it (simplebackup drops a leading double-star folder, which
 * restic then matches faster: F7).
 */
function typedBackupArgs(core, job) {
  let next = 0;
  return core
    .buildBackupArgs(job)
    .map((arg, i, all) => (all[i - 1] === "--exclude" && i < all.indexOf("--") ? job.excludes[next++] : arg));
}

/**
 * Runs every setup's sides in one alternating loop (A B C of the first restic, then of the next, each
 * round), changing that setup's files before each of its sides, and keeps the 1-minute load average
 * seen before each round. Returns the samples per setup, keyed like `sidesOf`'s result.
 */
async function alternateSetups(setups, { rounds, sidesOf }) {
  const sides = {};
  for (const setup of setups)
    for (const [name, measure] of Object.entries(sidesOf(setup))) sides[`${setup.index}/${name}`] = measure;
  const load = [];
  const samples = await alternate({
    rounds,
    warmup: 1,
    sides,
    before: (side, round) => {
      if (round >= 0 && side === Object.keys(sides)[0]) load.push(os.loadavg()[0]);
      setups[Number(side.split("/")[0])].mutate();
    },
  });
  const perSetup = setups.map((setup) =>
    Object.fromEntries(
      Object.entries(samples)
        .filter(([side]) => side.startsWith(`${setup.index}/`))
        .map(([side, values]) => [side.split("/")[1], values]),
    ),
  );
  return { perSetup, load };
}

/**
 * Side A, `simplebackup backup <job>`, against two restic-only sides B and C (command lists per setup),
 * for every setup in one alternating loop. Notes the load it ran under; returns each setup's samples
 * and medians.
 */
async function compareWithRestic(bench, setups, { id, job, rounds, sides, b, c }) {
  bench.log(
    `${id}: ${rounds} rounds of ${sides}, for restic ${setups.map((s) => s.restic.version).join(", ")}`,
  );
  const { perSetup, load } = await alternateSetups(setups, {
    rounds,
    sidesOf: (setup) => ({
      a: () => timeCommand(...setup.cli("backup", job)),
      b: () => timeSequence(b(setup)),
      c: () => timeSequence(c(setup)),
    }),
  });
  bench.notes.push(
    `${id} ran under a load (1-minute average before each round) of median ${median(load).toFixed(2)}, ` +
      `${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)}, on ${os.cpus().length} cores.`,
  );
  const pick = (sides, key) =>
    Object.fromEntries(Object.entries(sides).map(([side, list]) => [side, list.map((one) => one[key])]));
  return setups.map((setup) => {
    const samples = pick(perSetup[setup.index], "ms");
    return {
      setup,
      samples,
      cpu: pick(perSetup[setup.index], "cpuMs"),
      a: median(samples.a),
      b: median(samples.b),
      c: median(samples.c),
      restic: setup.restic.version,
      label: `restic ${setup.restic.version}`,
    };
  });
}

/** P1: `simplebackup backup p1` against restic backup + restic forget --prune typed by hand. */
export async function benchWrappedBackup(bench, setups) {
  const { core, log, rows, notes, details, rounds, quick } = bench;
  const plans = setups.map((setup) => {
    const { jobP1, repoP1, command } = setup;
    const forget = command(repoP1, core.buildForgetArgs(jobP1.retention, jobP1.name, { prune: true }));
    return {
      byHand: [command(repoP1, typedBackupArgs(core, jobP1)), forget],
      // simplebackup's restic commands run bare: the restic side of side A, without Node.
      asPassed: [command(repoP1, core.buildBackupArgs(jobP1)), forget],
    };
  });
  for (const setup of setups) {
    log(`P1: first (full) backup of the P1 job with restic ${setup.restic.version}`);
    const first = await timeCommand(...setup.cli("backup", "p1"));
    details.push(
      `P1 (restic ${setup.restic.version}) first full backup through simplebackup (creates the repository): ${seconds(first.ms)}`,
    );
  }

  const results = await compareWithRestic(bench, setups, {
    id: "P1",
    job: "p1",
    // restic's own run-to-run spread here (±10 %) is larger than the effect measured: more rounds.
    rounds: rounds(11, 3),
    sides: "simplebackup backup p1 / restic backup + forget --prune by hand / the same as passed",
    b: (setup) => plans[setup.index].byHand,
    c: (setup) => plans[setup.index].asPassed,
  });
  for (const { setup, samples, cpu, a, b, c, restic, label } of results) {
    rows.push({
      id: "P1",
      restic,
      what: "`simplebackup backup p1` vs `restic backup` + `restic forget --prune` by hand (incremental, retention)",
      a: seconds(a),
      b: seconds(b),
      ratio: `${(a / b).toFixed(3)}×`,
      target: "≤ 1.05×",
      met: a / b <= 1.05,
    });
    rows.push({
      id: "P1x",
      restic,
      what: "(reference) restic alone: simplebackup's restic commands (excludes as passed) vs the same by hand (excludes as written)",
      a: seconds(c),
      b: seconds(b),
      ratio: `${(c / b).toFixed(3)}×`,
      target: "—",
      met: undefined,
    });
    details.push(
      `P1 (${label}) samples (ms): simplebackup ${fmtList(samples.a)}; by hand ${fmtList(samples.b)}; restic as simplebackup passes it ${fmtList(samples.c)}; ` +
        `per-round ratios ${fmtRatios(samples.a, samples.b)} (P1), median ${paired(samples.a, samples.b)}×; median of per-round ratios ${paired(samples.c, samples.b)}× (P1x)`,
    );
    const traced = await traceRestic(bench, setup, setup.cli("backup", "p1"), quick ? 2 : 5);
    // What P1 leaves simplebackup's own time: 1.05 × by hand, less the restic work it has run (side C).
    const allowance = 1.05 * b - c;
    rows.push({
      id: "P1o",
      restic,
      what: "simplebackup's own time in `backup p1` (its wall time minus its restic processes, traced) vs what P1 allows: 1.05 × B − C",
      a: `${traced.overhead.toFixed(0)} ms`,
      b: `${allowance.toFixed(0)} ms`,
      ratio: `${((traced.overhead / b) * 100).toFixed(1)} % of by hand`,
      target: "≤ 1.05 × B − C",
      met: traced.overhead <= allowance,
    });
    notes.push(
      `P1 (${label}) restic processes per run: simplebackup → ${traced.subcommands.join(", ")} (${repoOpens(traced.subcommands)} repository opens); ` +
        `by hand → backup, forget (2). simplebackup's own time per run (ms): ${fmtList(traced.overheads)}; ` +
        `5 % of by hand would be ${(b * 0.05).toFixed(0)} ms, and Node's own start here is in P5n. ` +
        `CPU time per run (user + system of every process; median ms): simplebackup ${median(cpu.a).toFixed(0)}, ` +
        `by hand ${median(cpu.b).toFixed(0)}, as passed ${median(cpu.c).toFixed(0)}; per-round ratio ${paired(cpu.a, cpu.b)}× (P1 in CPU time).`,
    );
  }
}

/** P2: one job with 3 sources (one restic invocation) against one `restic backup` per source. */
export async function benchThreeSources(bench, setups) {
  const { core, log, rows, notes, details, rounds, quick } = bench;
  const plans = setups.map(({ jobP2, repoP2, command }) => ({
    perSource: jobP2.sources.map((source) =>
      command(repoP2, typedBackupArgs(core, { ...jobP2, sources: [source] })),
    ),
    oneInvocation: [command(repoP2, typedBackupArgs(core, jobP2))],
  }));
  for (const setup of setups) {
    log(
      `P2: first (full) backups with restic ${setup.restic.version}: one snapshot of all 3 sources, and one per source`,
    );
    await timeCommand(...setup.cli("backup", "p2"));
    await timeSequence(plans[setup.index].perSource);
  }

  const results = await compareWithRestic(bench, setups, {
    id: "P2",
    job: "p2",
    rounds: rounds(7, 3),
    sides: "simplebackup backup p2 / 3 × restic backup / 1 × restic backup",
    b: (setup) => plans[setup.index].perSource,
    c: (setup) => plans[setup.index].oneInvocation,
  });
  for (const { setup, samples, cpu, a, b, c, restic, label } of results) {
    rows.push({
      id: "P2",
      restic,
      what: "3 per-source `restic backup` runs (the seed's way) vs `simplebackup backup p2`, one invocation (incremental)",
      a: seconds(a),
      b: seconds(b),
      ratio: `${(b / a).toFixed(2)}× faster`,
      target: "≥ 2.2× faster",
      met: b / a >= 2.2,
    });
    rows.push({
      id: "P2r",
      restic,
      what: "(reference) the same 3 per-source runs vs one bare `restic backup` of the 3 sources: restic's own gain",
      a: seconds(c),
      b: seconds(b),
      ratio: `${(b / c).toFixed(2)}× faster`,
      target: "—",
      met: undefined,
    });
    details.push(
      `P2 (${label}) samples (ms): simplebackup ${fmtList(samples.a)}; per source ${fmtList(samples.b)}; one bare restic ${fmtList(samples.c)}; ` +
        `per-round ratios ${fmtRatios(samples.b, samples.a)} (P2), median ${paired(samples.b, samples.a)}×; median of per-round ratios ${paired(samples.b, samples.c)}× (P2r)`,
    );
    const traced = await traceRestic(bench, setup, setup.cli("backup", "p2"), quick ? 2 : 5);
    // The most simplebackup may add to one bare restic run and still be 2.2× faster than the seed's way.
    const budget = b / 2.2 - c;
    notes.push(
      `P2 (${label}) restic processes per run: simplebackup → ${traced.subcommands.join(", ")} (${repoOpens(traced.subcommands)} repository opens); ` +
        `seed's way → 3 × backup (3). simplebackup's own time per run ${traced.overhead.toFixed(0)} ms (median of ${fmtList(traced.overheads)}); ` +
        `to be 2.2× faster here it may add at most ${budget.toFixed(0)} ms to the bare run (${seconds(b)} / 2.2 − ${seconds(c)})` +
        `${budget <= 0 ? ", so restic alone does not reach 2.2× on this machine" : ""}. ` +
        `CPU time per run (user + system of every process; median ms): simplebackup ${median(cpu.a).toFixed(0)}, ` +
        `per source ${median(cpu.b).toFixed(0)}, one bare restic ${median(cpu.c).toFixed(0)}; per-round ratios ` +
        `${paired(cpu.b, cpu.a)}× (P2 in CPU time), ${paired(cpu.b, cpu.c)}× (P2r in CPU time).`,
    );
  }
}

/** Each round's ratio, so the spread behind a median shows. */
function fmtRatios(numerators, denominators) {
  return numerators.map((value, i) => (value / denominators[i]).toFixed(2)).join(" ");
}

/**
 * Runs a simplebackup command `runs` times with RESTIC_BINARY pointing at a shell script that logs each
 * restic subcommand with its start and end time. Gives the restic processes one run spawns (all but
 * `version` open the repository: ~0.7 s of scrypt each) and simplebackup's own time: the command's wall
 * time minus the time some restic process was running. That figure leaves restic's run-to-run noise
 * out, which on a busy machine is larger than the wrapper's whole cost.
 */
async function traceRestic(bench, setup, [command, args, options], runs) {
  const dir = path.join(bench.work, `trace-${setup.index}`);
  mkdirSync(dir, { recursive: true });
  const wrapper = path.join(dir, "restic");
  writeFileSync(
    wrapper,
    [
      "#!/bin/sh",
      "start=$(date +%s%N)",
      `${JSON.stringify(setup.restic.binary)} "$@"`,
      "code=$?",
      'printf \'%s %s %s\\n\' "$1" "$start" "$(date +%s%N)" >> "$BENCH_RESTIC_LOG"',
      "exit $code",
      "",
    ].join("\n"),
  );
  chmodSync(wrapper, 0o755);
  const overheads = [];
  let subcommands = [];
  for (let run = 0; run < runs; run++) {
    const logFile = path.join(dir, `calls-${run}-${Date.now()}.log`);
    setup.mutate();
    const { ms } = await timeCommand(command, args, {
      ...options,
      env: { ...options.env, RESTIC_BINARY: wrapper, BENCH_RESTIC_LOG: logFile },
    });
    const calls = existsSync(logFile)
      ? readFileSync(logFile, "utf8")
          .trim()
          .split("\n")
          .map((line) => line.split(" "))
      : [];
    subcommands = calls.map(([name]) => name);
    overheads.push(ms - unionMs(calls.map(([, from, to]) => [Number(from) / 1e6, Number(to) / 1e6])));
  }
  return { subcommands, overhead: median(overheads), overheads };
}

/** Total length of possibly overlapping [from, to] intervals (restic version runs beside the backup). */
function unionMs(intervals) {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of intervals.sort((x, y) => x[0] - y[0])) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

function repoOpens(subcommands) {
  return subcommands.filter((name) => name !== "version" && name !== "help").length;
}
