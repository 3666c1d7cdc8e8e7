import { spawn } from "node:child_process";
import path from "node:path";
import { writeFileAtomic } from "@simplebackup/core";

/** The page `simplebackup ui --open` hands the browser, in the state folder. */
export const LOGIN_PAGE_FILE_NAME = "dashboard-login.html";

/** How a browser is asked to open a file on this system, or why it cannot be. */
export type BrowserOpener =
  | { readonly command: string; readonly args: readonly string[] }
  | { readonly unavailable: string };

/**
 * `$BROWSER` when set (the Unix convention), else the desktop's own opener. A Linux session with
 * neither DISPLAY nor WAYLAND_DISPLAY is a server over SSH: nothing there could show a page.
 */
export function browserOpener(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): BrowserOpener {
  if (env.BROWSER) return { command: env.BROWSER, args: [] };
  if (platform === "darwin") return { command: "open", args: [] };
  if (platform === "win32") return { command: "explorer.exe", args: [] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { unavailable: "no desktop session here (neither DISPLAY nor WAYLAND_DISPLAY is set)" };
  }
  return { command: "xdg-open", args: [] };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * Writes a 0600 page that sends the browser on to the login link, and returns its path. The browser is
 * given this file's path, not the link: a command line is readable by every user of the machine, and
 * the link holds a login code (one-time, five minutes, but a login all the same).
 */
export async function writeLoginPage(stateDir: string, link: string): Promise<string> {
  const file = path.join(stateDir, LOGIN_PAGE_FILE_NAME);
  const href = escapeHtml(link);
  const page = `<!doctype html>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=${href}">
<meta name="referrer" content="no-referrer">
<title>simplebackup dashboard</title>
<p><a href="${href}">Open the simplebackup dashboard</a></p>
`;
  await writeFileAtomic(file, page, { mode: 0o600 });
  return file;
}

/** Starts the browser on `file`; resolves once it started, or with why it could not. */
export function openInBrowser(
  file: string,
  opener: BrowserOpener,
): Promise<{ readonly opened: true } | { readonly opened: false; readonly why: string }> {
  if ("unavailable" in opener) return Promise.resolve({ opened: false, why: opener.unavailable });
  return new Promise((resolve) => {
    const child = spawn(opener.command, [...opener.args, file], {
      detached: true,
      stdio: "ignore",
      shell: false,
    });
    child.once("error", (error: NodeJS.ErrnoException) =>
      resolve({
        opened: false,
        why:
          error.code === "ENOENT"
            ? `${opener.command} was not found`
            : `${opener.command} failed (${error.code ?? error.message})`,
      }),
    );
    child.once("spawn", () => {
      child.unref(); // the browser outlives this command
      resolve({ opened: true });
    });
  });
}
