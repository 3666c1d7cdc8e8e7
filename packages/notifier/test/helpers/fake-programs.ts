import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function createTempDir(prefix = "sb-notifier-") {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A `notify-send` that appends its arguments, one per line and a blank line after each call, to a
 * file, and fails while a `fail` file sits beside it. Put its folder first on PATH: node-notifier
 * finds the binary with `which` and runs it through a shell, both of which read PATH.
 */
export function createRecordingNotifySend(dir: string) {
  const log = join(dir, "notify-send.log");
  const failFlag = join(dir, "fail");
  writeFileSync(
    join(dir, "notify-send"),
    `#!/bin/sh
if [ -e "${failFlag}" ]; then echo "notify-send: failing as asked" >&2; exit 1; fi
for arg in "$@"; do printf '%s\\n' "$arg" >> "${log}"; done
printf '\\n' >> "${log}"
`,
  );
  chmodSync(join(dir, "notify-send"), 0o755);
  return {
    dir,
    /** Each call's argv. */
    calls(): string[][] {
      if (!existsSync(log)) return [];
      return readFileSync(log, "utf8")
        .split("\n\n")
        .filter((call) => call.trim() !== "")
        .map((call) => call.split("\n").filter((line) => line !== ""));
    },
    fail(on: boolean) {
      if (on) writeFileSync(failFlag, "");
      else rmSync(failFlag, { force: true });
    },
  };
}

export interface ReceivedCall {
  readonly stdin: {
    readonly event: Record<string, unknown>;
    readonly notification: { readonly title: string; readonly body: string; readonly severity: string };
  };
  readonly env: Record<string, string | undefined>;
  readonly argv: string[];
  readonly cwd: string;
}

/**
 * A receiver program for the command notifier: a Node script that appends what it reads on stdin, as
 * one JSON line with the SIMPLEBACKUP_* variables, and exits 3 while a `fail` file exists.
 */
export function createRecordingScript(dir: string) {
  const script = join(dir, "receiver.mjs");
  const log = join(dir, "received.jsonl");
  const failFlag = join(dir, "fail-command");
  writeFileSync(
    script,
    `import { appendFileSync, existsSync } from "node:fs";
let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
if (existsSync(${JSON.stringify(failFlag)})) { console.error("failing as asked"); process.exit(3); }
appendFileSync(${JSON.stringify(log)}, JSON.stringify({
  stdin: JSON.parse(input),
  env: { event: process.env.SIMPLEBACKUP_EVENT, job: process.env.SIMPLEBACKUP_JOB, title: process.env.SIMPLEBACKUP_TITLE, target: process.env.SIMPLEBACKUP_TARGET, token: process.env.API_TOKEN },
  argv: process.argv.slice(2),
  cwd: process.cwd(),
}) + "\\n");
`,
  );
  return {
    script,
    received(): ReceivedCall[] {
      if (!existsSync(log)) return [];
      return readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line));
    },
    fail(on: boolean) {
      if (on) writeFileSync(failFlag, "");
      else rmSync(failFlag, { force: true });
    },
  };
}
