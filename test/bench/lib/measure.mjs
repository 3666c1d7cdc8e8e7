// Timing and process measurement with Node built-ins only: hrtime for wall time, /proc for the CPU time
// and peak memory of a long-running child.

import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

/**
 * Runs a command to its end and returns its wall time in ms, and the CPU time (user + system) it and
 * the processes it waited for used, `cpuMs`. Output is drained (and kept only when asked), since a full
 * pipe would stall the child. A non-zero exit throws unless it is allowed.
 */
export function timeCommand(command, args, options = {}) {
  const { env = process.env, cwd, keepOutput = false, allowExit = [0] } = options;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const cpuBefore = endedChildrenCpuSeconds();
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [];
    const stderr = [];
    let stdoutTail = "";
    child.stdout.on("data", (chunk) => {
      if (keepOutput) stdout.push(chunk);
      else stdoutTail = (stdoutTail + chunk).slice(-4000);
    });
    child.stderr.on("data", (chunk) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const result = {
        ms,
        cpuMs: (endedChildrenCpuSeconds() - cpuBefore) * 1000,
        code,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      };
      if (allowExit.includes(code)) resolve(result);
      else {
        const tail = [result.stdout || stdoutTail, result.stderr]
          .join("\n")
          .split("\n")
          .slice(-25)
          .join("\n");
        reject(new Error(`${command} ${args.join(" ")} exited ${code ?? signal}:\n${tail}`));
      }
    });
  });
}

/** Several commands one after the other, timed together (the "by hand" side of a comparison). */
export async function timeSequence(steps) {
  let ms = 0;
  let cpuMs = 0;
  for (const [command, args, options] of steps) {
    const result = await timeCommand(command, args, options);
    ms += result.ms;
    cpuMs += result.cpuMs;
  }
  return { ms, cpuMs };
}

/**
 * Runs the sides in turn, A B A B … (or A B C A B C …), so drift in the machine (page cache, thermal, a
 * neighbour's build) hits every side alike. `warmup` rounds run first and are not counted. `before`
 * runs ahead of every single measurement, untimed (e.g. to change a few files for the next incremental
 * backup). Returns the samples of each side, keyed like `sides`.
 */
export async function alternate({ rounds, warmup = 1, sides, before, onSample }) {
  const samples = Object.fromEntries(Object.keys(sides).map((side) => [side, []]));
  for (let round = -warmup; round < rounds; round++) {
    for (const [side, measure] of Object.entries(sides)) {
      await before?.(side, round);
      const value = await measure(round);
      if (round >= 0) samples[side].push(value);
      onSample?.(side, round, value);
    }
  }
  return samples;
}

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of round-by-round ratios: steadier than the ratio of medians when the machine is busy. */
export function paired(a, b) {
  return median(a.map((value, i) => value / b[i])).toFixed(3);
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after the command name, so fields[11] is utime. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** User + system CPU seconds a live process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * User + system CPU seconds of the bench's children that have ended and been waited for (cutime +
 * cstime), their own waited-for children included (restic under simplebackup). Its change around a
 * command is that command's CPU time, as long as no other child ends meanwhile: P3's daemon, which
 * runs beside, ends only after the others. Unlike wall time it hardly grows when neighbours load the
 * machine, so it shows whether a side does more work or only waits longer for a core.
 */
function endedChildrenCpuSeconds() {
  const fields = statFields("self");
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/** Current (VmRSS) and peak (VmHWM) resident memory of a live process, in MB. */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

export const CPU_RESOLUTION_S = 1 / CLOCK_TICKS;

/** What the figures were measured on (the restics are described by lib/restics.mjs). */
export function describeMachine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}
