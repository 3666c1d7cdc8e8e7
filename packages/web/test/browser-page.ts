import type { Page } from "playwright-core";
import { type ChromiumSession, launchChromium } from "../../../test/e2e/browser/chromium.js";
import { type PageWatch, watchPage } from "../../../test/e2e/browser/watch-page.js";
import type { DashboardServer } from "../src/index.js";

/** Debian's Chromium with one page watched for CSP violations, console errors and failed answers. */
export interface WatchedPage {
  readonly browser: ChromiumSession;
  readonly page: Page;
  readonly watch: PageWatch;
}

export async function openWatchedPage(): Promise<WatchedPage> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    return { browser, page, watch: await watchPage(page) };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Logs in with a fresh one-time link and opens a job's page, once its heading is shown. */
export async function openJobPage(page: Page, server: DashboardServer, job: string): Promise<void> {
  await page.goto(server.loginLink());
  await page.goto(`${server.url}/#/jobs/${encodeURIComponent(job)}`);
  await page.getByRole("heading", { name: job, level: 1 }).waitFor();
}
