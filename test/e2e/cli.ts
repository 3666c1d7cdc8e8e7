import { spawnSync } from "node:child_process";
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

/** Runs the built CLI as a user would, from `cwd`. */
export function simplebackup(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: {
      ...process.env,
      SIMPLEBACKUP_CONFIG: undefined,
      SIMPLEBACKUP_STATE_DIR: DEFAULT_STATE_DIR,
      ...options.env,
    },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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
