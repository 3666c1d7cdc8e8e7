import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DashboardError } from "./errors.js";
import { createLoginCode, readLoginToken } from "./login-token.js";

export const DASHBOARD_FILE_NAME = "dashboard.json";

interface DashboardFile {
  readonly url: string;
  readonly pid: number;
}

/** Tells `simplebackup ui` where this process's dashboard is: `<state>/dashboard.json`, mode 0600. */
export async function writeDashboardFile(stateDir: string, url: string): Promise<void> {
  const file = path.join(stateDir, DASHBOARD_FILE_NAME);
  await writeFile(file, `${JSON.stringify({ url, pid: process.pid } satisfies DashboardFile)}\n`, {
    mode: 0o600,
  });
}

/** Removed on close, but only when it is still ours (another daemon may have started since). */
export async function removeDashboardFile(stateDir: string): Promise<void> {
  const file = path.join(stateDir, DASHBOARD_FILE_NAME);
  const current = await readDashboardFile(stateDir).catch(() => undefined);
  if (current?.pid === process.pid) await rm(file, { force: true });
}

async function readDashboardFile(stateDir: string): Promise<DashboardFile | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(stateDir, DASHBOARD_FILE_NAME), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<DashboardFile>;
    if (typeof parsed.url === "string" && typeof parsed.pid === "number")
      return { url: parsed.url, pid: parsed.pid };
  } catch {}
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A one-time login link to the dashboard of the daemon running on this state folder, made from the
 * folder's token without asking the daemon (`simplebackup ui`).
 */
export async function dashboardLoginLink(stateDir: string, now: number = Date.now()): Promise<string> {
  const running = await readDashboardFile(stateDir);
  if (!running || !alive(running.pid)) {
    throw new DashboardError(
      "DASHBOARD_NOT_RUNNING",
      `no dashboard is running for the state folder ${stateDir}: start the daemon with \`simplebackup run --ui\`, or set ui in the config`,
    );
  }
  const token = await readLoginToken(stateDir);
  return `${running.url}/login?code=${createLoginCode(token, now)}`;
}
