import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "@simplebackup/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSecrets, configView, createScrubber } from "../src/secrets.js";
import { SECRETS, type Setup, secretConfig, startDashboard } from "./helpers.js";
import { openEventStream } from "./sse.js";

let setup: Setup;
beforeAll(async () => {
  setup = await startDashboard({ heartbeatMs: 60_000 });
  await setup.browser.logIn();
});
afterAll(async () => {
  await setup?.close();
});

/** Every form a secret could take in a response: as written, JSON-escaped, URL-encoded. */
function forms(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
}

function expectNoSecret(where: string, text: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    for (const form of forms(secret)) {
      expect(text.includes(form), `${name} (${form}) in ${where}`).toBe(false);
    }
  }
}

async function allLogText(dir: string): Promise<string> {
  let text = "";
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".log"))
      text += await readFile(join(entry.parentPath, entry.name), "utf8");
  }
  return text;
}

describe("no secret in any response", () => {
  it("crawls every GET route (each job, each run) and the event stream after runs that said every secret", async () => {
    const { browser, server, daemon } = setup;
    const stream = await openEventStream(`${server.url}/api/events`, { Cookie: browser.cookie ?? "" });
    for (const job of ["docs", "app db"]) {
      expect((await browser.post(`/api/jobs/${encodeURIComponent(job)}/run`)).status).toBe(202);
      await expect.poll(async () => (await daemon.history({ job })).length, { timeout: 5_000 }).toBe(1);
    }
    await daemon.scheduler.whenIdle();
    await stream.waitFor(/event: retry[\s\S]*event: retry/);
    stream.close();

    // The runs really said the secrets: the log files in the state folder hold them.
    const logs = await allLogText(join(setup.stateDir, "logs"));
    expect(logs).toContain(SECRETS.jobPassword);
    expect(logs).toContain(SECRETS.envValue);
    expect(logs).toContain(SECRETS.repositoryPassword);

    const runs = await daemon.history();
    // The snapshot routes run restic, which this project has not: snapshots.integration.test.ts
    // checks them against a real repository, the job's password absent from each answer.
    const gets = server.routes.filter(
      (route) => route.method === "GET" && route.path !== "/api/events" && !route.path.includes("/snapshots"),
    );
    const crawled: string[] = [];
    for (const route of gets) {
      const jobs = route.path.includes(":job") ? ["docs", "app db"] : [""];
      for (const job of jobs) {
        const runIds = route.path.includes(":runId")
          ? runs.filter((run) => run.job === job).map((run) => run.runId)
          : [""];
        for (const runId of runIds) {
          const path = route.path.replace(":job", encodeURIComponent(job)).replace(":runId", runId);
          const reply = await browser.get(path);
          expect([path, reply.status]).toEqual([path, route.path === "/login" ? 403 : 200]);
          expectNoSecret(`GET ${path}`, reply.text + JSON.stringify(reply.headers));
          crawled.push(path);
        }
      }
    }
    expect(crawled).toEqual(
      expect.arrayContaining(["/", "/api/jobs", "/api/config", "/api/jobs/app%20db/history"]),
    );
    expect(crawled.filter((path) => path.endsWith("/log"))).toHaveLength(2);
    expectNoSecret("the event stream", stream.text());
    expect(stream.text()).toContain("event: progress");
  });
});

describe("configView", () => {
  it("masks the secrets of copy targets and notifiers too", () => {
    const input = secretConfig("/srv");
    const jobs = input.backupjobs as Record<string, unknown>[];
    jobs[0] = {
      ...jobs[0],
      copy_to: [
        {
          name: "offsite",
          destination: `rest:https://copy:${SECRETS.repositoryPassword}@copy.example/docs`,
          password: SECRETS.jobPassword,
          env: { B2_ACCOUNT_KEY: SECRETS.envValue },
        },
      ],
      hooks: { before: `curl -H "Authorization: Bearer ${SECRETS.webhookPath}" https://ping.example` },
    };
    const config = resolveConfig(input, { baseDir: "/srv" });
    const text = JSON.stringify(configView(config));
    expectNoSecret("configView", text);
    expect(text).toContain('"name":"offsite"');
    expect(text).toContain("hooks.example");
  });

  it("has a scrubber that catches each secret the config holds, written any way", () => {
    const config = resolveConfig(secretConfig("/srv"), { baseDir: "/srv" });
    const scrub = createScrubber(configSecrets(config));
    const leaky = `a ${SECRETS.jobPassword} b ${JSON.stringify(SECRETS.databasePassword)} c ${encodeURIComponent(SECRETS.databasePassword)} d ${SECRETS.envValue} e webhook https://hooks.example/services/${SECRETS.webhookPath} refused`;
    expectNoSecret("scrubbed text", scrub.text(leaky));
    expectNoSecret("scrubbed value", JSON.stringify(scrub.value({ said: leaky })));
    // Short env values ("eu") are left alone: scrubbing them would blank out ordinary words.
    expect(scrub.text("eu-west")).toBe("eu-west");
  });

  it("scrubs JSON by its strings, never its keys, and a short password only where a string is exactly it", () => {
    const scrub = createScrubber(["abc", "backup-pw-1"]);
    const at = new Date("2026-12-01T08:00:00Z");
    expect(
      scrub.value({
        job: "labcd",
        backupOnStart: true,
        "backup-pw-1": "x backup-pw-1 y",
        password: "abc",
        list: ["abc", "xabcx", 3, null],
        at,
      }),
    ).toEqual({
      job: "labcd",
      backupOnStart: true,
      "backup-pw-1": "x *** y",
      password: "***",
      list: ["***", "xabcx", 3, null],
      at: "2026-12-01T08:00:00.000Z",
    });
    // Free text keeps a short secret: "abc" inside words would blank them out.
    expect(scrub.text("abcdef backup-pw-1")).toBe("abcdef ***");
  });

  it("scrubs the passwords a job points at: a password_env variable's value and a password_file's first line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sb-web-secrets-"));
    try {
      const fromFile = "file-held-secret-71c3";
      const fromEnv = "env-held-secret-0b9e";
      await writeFile(join(dir, "pw"), `${fromFile}\n`, { mode: 0o600 });
      const input = secretConfig(dir) as { backupjobs: Record<string, unknown>[] };
      const [first] = input.backupjobs;
      if (!first) throw new Error("no job");
      delete first.password;
      first.password_file = join(dir, "pw");
      const config = resolveConfig(input, { baseDir: dir });
      const scrub = createScrubber(configSecrets(config, { APP_RESTIC_PASSWORD: fromEnv }));
      const text = scrub.text(`restic said ${fromFile} and ${JSON.stringify(fromEnv)}`);
      expect(text).not.toContain(fromFile);
      expect(text).not.toContain(fromEnv);
      expect(text).toBe('restic said *** and "***"');
      // A file that cannot be read adds nothing and breaks nothing: the run itself says why.
      await rm(join(dir, "pw"));
      expect(createScrubber(configSecrets(config, {})).text("plain")).toBe("plain");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
