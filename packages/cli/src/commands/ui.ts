import { homedir } from "node:os";
import { resolveStateDir } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { browserOpener, openInBrowser, writeLoginPage } from "../ui/open-in-browser.js";

export default defineCommand({
  meta: {
    name: "ui",
    description:
      "Print a one-time login link to the running daemon's dashboard (--open: open it in a browser)",
  },
  args: {
    ...configArg,
    open: {
      type: "boolean",
      description: "Also open the link in this desktop's browser ($BROWSER, or the system's opener)",
    },
    "hash-password": {
      type: "boolean",
      description: "Read a password on stdin and print its hash for ui.users[].password_hash",
    },
  },
  async run({ args }) {
    const web = await import("@simplebackup/web");
    if (args["hash-password"]) {
      // On stdin, never as an argument: a command line is visible to every user of the machine.
      const password = (await readStdin()).replace(/\r?\n$/, "");
      if (password === "") {
        console.error(
          "error: no password on stdin (printf '%s' 'the password' | simplebackup ui --hash-password)",
        );
        process.exitCode = 2;
        return;
      }
      console.log(await web.hashPassword(password));
      return;
    }
    const config = await loadCliConfig(args.config);
    const stateDir = resolveStateDir({
      configured: config.stateDir,
      env: process.env,
      platform: process.platform,
      homedir: homedir(),
      cwd: process.cwd(),
    });
    try {
      const link = await web.dashboardLoginLink(stateDir);
      console.log(link);
      if (args.open) {
        const outcome = await openInBrowser(
          await writeLoginPage(stateDir, link),
          browserOpener(process.platform, process.env),
        );
        // Not an error: the link above works as well, pasted into a browser (or through an SSH tunnel).
        if (!outcome.opened) console.error(`could not open a browser: ${outcome.why}; open the link above`);
      }
    } catch (error) {
      if (!web.isDashboardError(error)) throw error;
      console.error(`error [${error.code}]: ${error.message}`);
      process.exitCode = 1;
    }
  },
});

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
