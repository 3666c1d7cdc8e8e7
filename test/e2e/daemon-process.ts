import { type ChildProcess, spawn } from "node:child_process";
import { BIN } from "./cli.js";

/** A `simplebackup run` daemon in a child process, with its output collected line by line. */
export class DaemonProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = "";
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, "run", ...args], {
      env: { ...process.env, SIMPLEBACKUP_CONFIG: undefined, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let partial = "";
    this.child.stdout?.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      this.lines.push(...parts);
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves with the first line (from now or earlier) that matches; rejects after timeoutMs. */
  async waitForLine(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.lines.slice(from).find((line) => pattern.test(line));
      if (found) return found;
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no line matched ${pattern}; output:\n${this.lines.join("\n")}\nstderr:\n${this.stderr}`);
  }

  count(pattern: RegExp): number {
    return this.lines.filter((line) => pattern.test(line)).length;
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    if (this.child.exitCode === null) this.child.kill(signal);
    const { code } = await this.exited;
    return { code, ms: Date.now() - started };
  }

  waitForExit() {
    return this.exited;
  }
}
