import type { Page } from "playwright-core";
import { expect } from "vitest";
import { simplebackup } from "../cli.js";
import { DaemonProcess } from "../daemon-process.js";
import { type ChromiumSession, launchChromium } from "./chromium.js";
import { type PageWatch, watchPage } from "./watch-page.js";

/** A daemon serving the dashboard and a Chromium page watched for problems, for a browser test. */
export interface DashboardSession {
  readonly daemon: DaemonProcess;
  readonly browser: ChromiumSession;
  readonly page: Page;
  readonly watch: PageWatch;
  /** A one-time login link, printed by `simplebackup ui` as a person would ask for it. */
  loginLink(): string;
  /** Closes the browser and stops the daemon (for afterAll). */
  close(): Promise<void>;
}

/**
 * Starts `simplebackup run --ui` on `config` and opens a watched page in Chromium. What started is
 * stopped again when a later step fails, since a beforeAll that throws leaves nothing for afterAll.
 */
export async function openDashboard(config: string, stateDir: string): Promise<DashboardSession> {
  const env = { SIMPLEBACKUP_STATE_DIR: stateDir };
  const daemon = new DaemonProcess(["--config", config, "--ui"], env);
  let browser: ChromiumSession | undefined;
  const close = async () => {
    await browser?.close();
    await daemon.stop();
  };
  try {
    await daemon.waitForLine(/dashboard: http:\/\/127\.0\.0\.1:\d+/);
    browser = await launchChromium();
    const page = await browser.newPage();
    const watch = await watchPage(page);
    const loginLink = () => {
      const result = simplebackup(["ui", "--config", config], { env });
      expect(result.status, result.stderr).toBe(0);
      const link = result.stdout.trim();
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=/);
      return link;
    };
    return { daemon, browser, page, watch, loginLink, close };
  } catch (error) {
    await close();
    throw error;
  }
}
