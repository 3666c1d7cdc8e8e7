import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { browserPidOfProfile, isRunning, killAll, processesOfProfile } from "./browser-processes.js";
import { chromiumArgs } from "./chromium-args.mjs";

/*
 * The dashboard's page tests drive Debian's Chromium (apt-get install chromium) with playwright-core,
 * which downloads no browser: the tests run the browser a user of the dashboard has, and nothing is
 * fetched at test time. scripts/test.sh installs it and checks that it runs.
 */

/** Debian's chromium: a shell wrapper that execs /usr/lib/chromium/chromium, so its pid is the browser's. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Where a page test may connect: the dashboard it started, nothing else. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** What went wrong with the test browser; `code` says which step. */
export class BrowserTestError extends Error {
  constructor(
    readonly code: "NOT_INSTALLED" | "LAUNCH_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BrowserTestError";
  }
}

export interface LaunchChromiumOptions {
  /** @default "/usr/bin/chromium" */
  readonly executablePath?: string;
  /** How long close() waits for the browser to quit before it kills the process group. @default 10_000 */
  readonly closeTimeoutMs?: number;
}

export interface ChromiumSession {
  /** The browser's one context, with its fresh profile, its network guard and a fixed viewport. */
  readonly context: BrowserContext;
  /** The browser process (its process group holds the children it starts). */
  readonly pid: number;
  /** The profile folder, removed by close(). */
  readonly userDataDir: string;
  /** Every URL the network guard refused, in order: a page test can assert the page asked for none. */
  readonly blockedRequests: readonly string[];
  newPage(): Promise<Page>;
  /**
   * Quits the browser, killing its processes when it does not quit within `closeTimeoutMs`, and removes
   * the profile. Resolves once none of the profile's processes runs. Calling it again does nothing.
   * @returns "closed" when the browser quit, "killed" when it had to be killed
   */
  close(): Promise<"closed" | "killed">;
}

/**
 * Starts headless Chromium with a new profile in a temp folder. Every request to a host other than
 * 127.0.0.1, localhost or ::1 is aborted (net::ERR_BLOCKED_BY_CLIENT) and listed in `blockedRequests`,
 * so a page test can never reach the internet.
 * @throws BrowserTestError NOT_INSTALLED when the executable is missing, LAUNCH_FAILED when it does not start
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<ChromiumSession> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  assertExecutable(executablePath);
  const userDataDir = mkdtempSync(join(tmpdir(), "simplebackup-chromium-"));
  let context: BrowserContext;
  try {
    // launchPersistentContext, not launch(): the profile folder is ours to create and remove, and
    // playwright refuses --user-data-dir among launch()'s args.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      // Chromium's sandbox cannot start as root without --no-sandbox; as any other user it stays on.
      args: chromiumArgs(),
      timeout: 30_000,
      // The same page renders the same screenshot on every machine.
      viewport: { width: 1280, height: 800 },
      locale: "en-US",
      timezoneId: "UTC",
      // A service worker's own fetches would need their own guard; the dashboard registers none.
      serviceWorkers: "block",
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new BrowserTestError(
      "LAUNCH_FAILED",
      `${executablePath} did not start: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const pid = browserPidOfProfile(userDataDir);
  if (pid === undefined) {
    await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
    throw new BrowserTestError(
      "LAUNCH_FAILED",
      `${executablePath} started, but no browser process has its profile`,
    );
  }
  const blockedRequests = await guardNetwork(context);
  let closing: Promise<"closed" | "killed"> | undefined;
  return {
    context,
    pid,
    userDataDir,
    blockedRequests,
    newPage: () => context.newPage(),
    close() {
      closing ??= closeBrowser(context, pid, userDataDir, options.closeTimeoutMs ?? 10_000);
      return closing;
    },
  };
}

/**
 * Writes a PNG of the page to test-output/screenshots/<test file>/<name>.png at the repository's root
 * (git-ignored), for a person to look at.
 * @returns the PNG's path
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const testFile = basename(expect.getState().testPath ?? "unknown").replace(/\.test\.[cm]?[jt]s$/, "");
  const folder = join(import.meta.dirname, "../../../test-output/screenshots", slug(testFile));
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${slug(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

function assertExecutable(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new BrowserTestError(
      "NOT_INSTALLED",
      `${path} was not found or cannot run; the browser tests need Debian's chromium package: ` +
        "apt-get install chromium (scripts/test.sh installs it)",
      { cause: error },
    );
  }
}

/** Aborts, at the context, every request that is not http(s) to a loopback host; returns what it aborted. */
async function guardNetwork(context: BrowserContext): Promise<string[]> {
  const blocked: string[] = [];
  // A file: page is this machine's disk, not the network (`simplebackup ui --open` hands the browser one).
  const isForeign = (url: URL) =>
    url.protocol !== "file:" && (!/^(https?|wss?):$/.test(url.protocol) || !LOOPBACK_HOSTS.has(url.hostname));
  await context.route(isForeign, (route) => {
    blocked.push(route.request().url());
    return route.abort("blockedbyclient");
  });
  // WebSockets do not pass through route(); an unconnected route never reaches the server.
  await context.routeWebSocket(isForeign, (socket) => {
    blocked.push(socket.url());
    return socket.close({ code: 1008, reason: "blocked by the test's network guard" });
  });
  return blocked;
}

async function closeBrowser(
  context: BrowserContext,
  pid: number,
  userDataDir: string,
  timeoutMs: number,
): Promise<"closed" | "killed"> {
  const quit = context.close().then(
    () => true,
    () => false, // a browser that crashed or was killed rejects; its leftovers are killed below
  );
  const quitInTime = await Promise.race([quit, sleep(timeoutMs, false)]);
  // A quitting browser takes its children down within moments; whatever outlives that is killed.
  const cleanExit = quitInTime && (await noneRunningWithin(userDataDir, 2_000));
  if (!cleanExit) {
    killGroup(pid);
    killAll(processesOfProfile(userDataDir));
    await noneRunningWithin(userDataDir, 5_000);
    await Promise.race([quit, sleep(1_000)]); // let playwright see the exit so it holds no handle
  }
  rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  return cleanExit ? "closed" : "killed";
}

/** Playwright starts the browser detached, so its pid is also its process group's id. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    if (isRunning(pid)) killAll([pid]);
  }
}

async function noneRunningWithin(userDataDir: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processesOfProfile(userDataDir).length > 0) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "") || "unnamed";
}
