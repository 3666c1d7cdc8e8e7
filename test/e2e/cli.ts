import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../packages/cli/bin/simplebackup.mjs", import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Tests never write to the real user's state folder. */
const DEFAULT_STATE_DIR = mkdtempSync(join(tmpdir(), "sb-e2e-state-"));

/** The test's environment without the user's config path, the state in a temp folder unless `env` names one. */
function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SIMPLEBACKUP_CONFIG: undefined,
    SIMPLEBACKUP_STATE_DIR: DEFAULT_STATE_DIR,
    ...env,
  };
}

/** Runs the built CLI as a user would, from `cwd`. */
export function simplebackup(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** How a CLI run without blocking ended. */
export interface AsyncCliResult extends CliResult {
  signal: NodeJS.Signals | null;
}

export interface AsyncCli {
  child: ChildProcess;
  /** What it printed so far, to wait for a line while it still runs. */
  output(): { stdout: string; stderr: string };
  done: Promise<AsyncCliResult>;
}

/**
 * Runs the built CLI without blocking the test, so the test can watch it (or /proc) meanwhile.
 * `detached` makes it lead a process group of its own, so a signal to the group reaches its restic
 * too, as a terminal's Ctrl-C does.
 */
export function simplebackupAsync(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { detached?: boolean } = {},
): AsyncCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<AsyncCliResult>((resolve) =>
    child.once("close", (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

export function tempDir(): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), "sb-e2e-"));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

export function write(file: string, content: string | Buffer | object): string {
  mkdirSync(dirname(file), { recursive: true });
  const data =
    typeof content === "string" || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2);
  writeFileSync(file, data);
  return file;
}
