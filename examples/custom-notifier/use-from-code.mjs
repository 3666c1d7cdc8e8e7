// The same plugin, wired from code: a scheduler from "simplebackup" and a hub from the notifier package.
//   node use-from-code.mjs        (needs restic on PATH; posts to $CHAT_URL, default http://127.0.0.1:8787/chat)
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createNotifierHub, resolveNotifier } from "@simplebackup/notifier";
import { BackupScheduler, resolveConfig } from "simplebackup";
import chat, { optionsSchema } from "./my-notifier.mjs";

const here = dirname(fileURLToPath(import.meta.url));
// The jobs come from the example's config file; its `notifications` are the CLI's business, so this
// program wires the plugin itself.
const { backupjobs } = JSON.parse(await readFile(join(here, "backup_config.json"), "utf8"));
const scheduler = new BackupScheduler({
  config: resolveConfig({ backupjobs }, { baseDir: here }),
  stateDir: join(here, ".state"),
});

const options = optionsSchema.parse({
  url: process.env.CHAT_URL ?? "http://127.0.0.1:8787/chat",
  token: process.env.CHAT_TOKEN ?? "example-token",
});
const hub = createNotifierHub({
  notifiers: [{ notifier: await resolveNotifier(chat, options), on: ["failure", "partial", "success"] }],
});
hub.attach(scheduler);

await scheduler.start();
const result = await scheduler.runNow("Documents"); // one backup now; the schedule goes on after it
console.log(`Documents: ${result?.status}; notifying`, JSON.stringify(hub.describe()));

process.once("SIGINT", async () => {
  await scheduler.stop();
  await hub.close(); // delivers what is still queued, then closes every notifier
});
