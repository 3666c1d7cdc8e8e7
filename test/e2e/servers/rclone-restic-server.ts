import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { freePort } from "./server-process.js";

/**
 * A real restic REST server (`rclone serve restic`) on 127.0.0.1, storing into a local folder. Its own
 * credentials are test fixtures; simplebackup passes them to restic only through the environment.
 */
export class RcloneResticServer {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(
    private readonly folder: string,
    readonly user = "backup",
    readonly pass = "rest-pass-7c1a",
  ) {
    mkdirSync(folder, { recursive: true });
  }

  url(path = "repo"): string {
    return `rest:http://${this.user}:${this.pass}@127.0.0.1:${this.port}/${path}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.child = spawn(
      "rclone",
      [
        "serve",
        "restic",
        "--addr",
        `127.0.0.1:${this.port}`,
        "--user",
        this.user,
        "--pass",
        this.pass,
        this.folder,
      ],
      { stdio: "ignore" },
    );
    const exited = new Promise<never>((_, reject) =>
      this.child?.once("exit", (code) =>
        reject(new Error(`rclone exited with ${code}; is rclone installed?`)),
      ),
    );
    await Promise.race([waitForPort(this.port), exited]);
  }

  /** Stops the server by its process id and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await gone;
  }
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}
