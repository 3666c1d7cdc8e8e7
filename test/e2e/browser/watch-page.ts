import type { Page } from "playwright-core";

/** What a page test asserts was empty (or only what it expected) once the pages were driven. */
export interface PageWatch {
  /** Errors and warnings the page logged (CSP violations among them) and its uncaught errors. */
  readonly problems: string[];
  /** Every answer of 400 or more the page received, as `status path`. */
  readonly failedResponses: string[];
}

/**
 * Watches a dashboard page for what must not happen: a CSP violation (reported to the console by a
 * script the browser's debugger runs before the page's own, so the CSP does not apply to it), any
 * console error or warning, an uncaught error, and answers of 400 or more.
 */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { problems: [], failedResponses: [] };
  await page.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (event) =>
      console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI));`,
  });
  page.on("console", (message) => {
    // A failed fetch is logged by the browser too; those are checked by their URL instead.
    if (message.text().startsWith("Failed to load resource")) return;
    if (message.type() === "error" || message.type() === "warning") watch.problems.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      watch.failedResponses.push(`${response.status()} ${new URL(response.url()).pathname}`);
    }
  });
  page.on("pageerror", (error) => watch.problems.push(`page error: ${error.message}`));
  return watch;
}
