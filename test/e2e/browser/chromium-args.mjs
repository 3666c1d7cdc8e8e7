// The switches the test browser starts with, one list for the browser tests (chromium.ts) and the
// dashboard bench (test/bench/dashboard.mjs, plain JavaScript, which cannot import TypeScript).

/**
 * Switches that keep the browser quiet and off the network on its own account (no component or
 * sync traffic, no first-run pages), and off a GPU a CI machine does not have.
 */
const QUIET = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The switches for this process: Chromium refuses to run as root with its sandbox, so root adds --no-sandbox. */
export function chromiumArgs() {
  return process.getuid?.() === 0 ? ["--no-sandbox", ...QUIET] : [...QUIET];
}
