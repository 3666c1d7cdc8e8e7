import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardServer } from "../src/index.js";
import { type Browser, send, serveConfig } from "./helpers.js";
import { isRunning, processesRunning, resticOn } from "./real-restic.js";

// One repository for the file: two jobs back up the same tree into it, so "another job's snapshot"
// is a real snapshot of the same repository that restic itself would happily list.
const PASSWORD = "snap-pass-Q7v2!x";
const dir = mkdtempSync(join(tmpdir(), "sb-web-snap-"));
const data = join(dir, "data");
const repository = join(dir, "repo");
const UNICODE = "a file é ü.txt";
let close: (() => Promise<void>) | undefined;
let server: DashboardServer;
let browser: Browser;
let docsId = "";
let otherId = "";

const restic = resticOn(repository, PASSWORD);

function backup(job: string): string {
  restic(["backup", "-q", "--tag", `simplebackup:${job}`, data]);
  const [snapshot] = JSON.parse(restic(["snapshots", "--json", "--tag", `simplebackup:${job}`])) as {
    id: string;
  }[];
  return snapshot?.id ?? "";
}

beforeAll(async () => {
  mkdirSync(join(data, "sub/deeper"), { recursive: true });
  writeFileSync(join(data, UNICODE), "spaces and unicode\n");
  writeFileSync(join(data, "sub/n.txt"), "nested\n");
  writeFileSync(join(data, "sub/deeper/d.txt"), "deeper\n");
  writeFileSync(join(data, "big.bin"), randomBytes(1024 * 1024));
  // Large enough that a download cut short stops restic mid-way (more than the pipes and sockets hold).
  writeFileSync(join(data, "huge.bin"), randomBytes(24 * 1024 * 1024));
  restic(["init"]);
  docsId = backup("docs");
  otherId = backup("other");

  const job = (name: string) => ({
    jobname: name,
    sources: [data],
    destination: repository,
    password: PASSWORD,
    backup_interval: "0 2 * * *",
  });
  ({ server, browser, close } = await serveConfig(dir, { backupjobs: [job("docs"), job("other")] }));
});

afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => `/api/jobs/docs/snapshots/${docsId}`;
const q = (path: string) => encodeURIComponent(path);

/** A GET whose body is kept as bytes (a download), with the session. */
function download(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, { headers: { Cookie: browser.cookie ?? "" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the snapshot browser API", () => {
  it("lists the job's own snapshots only", async () => {
    const reply = await browser.get("/api/jobs/docs/snapshots");
    expect(reply.status).toBe(200);
    const { snapshots } = reply.json<{ snapshots: Record<string, unknown>[] }>();
    expect(snapshots).toEqual([
      expect.objectContaining({
        id: docsId,
        shortId: docsId.slice(0, 8),
        paths: [data],
        tags: ["simplebackup:docs"],
        database: null,
      }),
    ]);
    expect((await browser.get("/api/jobs/nope/snapshots")).status).toBe(404);
  });

  it("lists one folder at a time: the root, the data folder and a subfolder", async () => {
    const root = await browser.get(`${base()}/tree`);
    expect(root.status).toBe(200);
    const top = data.split("/")[1];
    expect(root.json()).toMatchObject({ path: "/", entries: [{ name: top, type: "dir" }] });

    const folder = (await browser.get(`${base()}/tree?path=${q(data)}`)).json<{
      entries: { name: string; type: string; size: number; mtime: string }[];
    }>();
    expect(folder.entries.map(({ name, type, size }) => ({ name, type, size }))).toEqual([
      { name: UNICODE, type: "file", size: 19 },
      { name: "big.bin", type: "file", size: 1024 * 1024 },
      { name: "huge.bin", type: "file", size: 24 * 1024 * 1024 },
      { name: "sub", type: "dir", size: 0 },
    ]);
    expect(folder.entries[0]?.mtime).toMatch(/^\d{4}-\d\d-\d\dT/);

    const sub = (await browser.get(`${base()}/tree?path=${q(`${data}/sub/`)}`)).json<typeof folder>();
    expect(sub.entries.map((entry) => entry.name)).toEqual(["deeper", "n.txt"]);
  });

  it("downloads a file as its bytes, as an attachment named safely", async () => {
    const big = await download(`${base()}/file?path=${q(join(data, "big.bin"))}`);
    expect(big.status).toBe(200);
    expect(big.headers["content-type"]).toBe("application/octet-stream");
    expect(big.headers["content-length"]).toBe(String(1024 * 1024));
    expect(big.body.equals(readFileSync(join(data, "big.bin")))).toBe(true);

    const named = await download(`${base()}/file?path=${q(join(data, UNICODE))}`);
    expect(named.body.toString("utf8")).toBe("spaces and unicode\n");
    expect(named.headers["content-disposition"]).toBe(
      `attachment; filename="a file _ _.txt"; filename*=UTF-8''${encodeURIComponent(UNICODE)}`,
    );
  });

  it.each(["tar", "zip"] as const)("downloads a folder as a .%s with its entries", async (format) => {
    const reply = await download(`${base()}/archive?path=${q(join(data, "sub"))}&format=${format}`);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-disposition"]).toContain(
      `filename="docs-${docsId.slice(0, 8)}-sub.${format}"`,
    );
    const file = join(dir, `sub.${format}`);
    writeFileSync(file, reply.body);
    const list =
      format === "tar"
        ? spawnSync("tar", ["tf", file], { encoding: "utf8" })
        : spawnSync("unzip", ["-Z1", file], { encoding: "utf8" });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.split("\n").filter(Boolean).sort()).toEqual(
      ["sub/deeper/", "sub/deeper/d.txt", "sub/n.txt"].map((name) => `${data.slice(1)}/${name}`),
    );
  });

  it("restores two chosen paths into a new folder, and refuses it once it is not empty", async () => {
    const target = join(dir, "restored");
    const paths = [join(data, UNICODE), join(data, "sub")];
    const reply = await browser.post(`${base()}/restore`, { paths, target });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json()).toMatchObject({ restore: { ok: true, target, files: 3 } });
    const restored = join(target, data);
    expect(readdirSync(restored).sort()).toEqual([UNICODE, "sub"]);
    for (const path of [UNICODE, "sub/n.txt", "sub/deeper/d.txt"]) {
      expect(readFileSync(join(restored, path)).equals(readFileSync(join(data, path)))).toBe(true);
    }
    const again = await browser.post(`${base()}/restore`, { paths, target });
    expect([again.status, again.json()]).toEqual([
      409,
      { error: { code: "TARGET_NOT_EMPTY", message: expect.stringContaining(target) } },
    ]);
    const inPlace = await browser.post(`${base()}/restore`, { paths, target: "/" });
    expect(inPlace.json()).toMatchObject({ error: { code: "TARGET_IN_PLACE" } });
  });

  it("stops restic when the client hangs up mid-download, and leaves no lock", async () => {
    // Found by its argv while the download is open (restic held by the unread response), then
    // watched by its PID: it must end soon after the hang-up, not when 24 MiB would have been read.
    const dump = ["dump", "--no-lock", docsId, join(data, "huge.bin")];
    let pid: number | undefined;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${server.url}${base()}/file?path=${q(join(data, "huge.bin"))}`,
        { headers: { Cookie: browser.cookie ?? "" } },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.once("data", () => {
            res.pause();
            void expect
              .poll(() => processesRunning(dump), { timeout: 10_000 })
              .toHaveLength(1)
              .then(() => {
                pid = processesRunning(dump)[0];
                req.destroy();
                resolve();
              }, reject);
          });
        },
      );
      req.on("error", () => {});
      req.end();
    });
    expect(pid).toBeGreaterThan(0);
    await expect.poll(() => isRunning(pid ?? 0), { timeout: 5_000, interval: 50 }).toBe(false);
    await expect.poll(() => restic(["list", "locks", "--no-lock"]).trim(), { timeout: 10_000 }).toBe("");
  });
});

describe("the snapshot browser's guards", () => {
  it("answers 401 without a session on every snapshot route", async () => {
    const routes = server.routes.filter((route) => route.path.includes("/snapshots"));
    expect(routes).toHaveLength(5);
    for (const route of routes) {
      const path = route.path.replace(":job", "docs").replace(":id", docsId);
      const headers: Record<string, string> =
        route.method === "GET" ? {} : { Origin: server.url, "X-Simplebackup": "1" };
      const reply = await send(`${server.url}${path}?path=${q(data)}`, { method: route.method, headers });
      expect([route.path, reply.status]).toEqual([route.path, 401]);
    }
  });

  it("refuses a restore from another origin or without the custom header (403)", async () => {
    const target = join(dir, "never");
    const body = { paths: [data], target };
    const crossOrigin = await browser.post(`${base()}/restore`, body, { Origin: "http://evil.example" });
    expect(crossOrigin.status).toBe(403);
    const noHeader = await browser.post(`${base()}/restore`, body, { "X-Simplebackup": "0" });
    expect(noHeader.status).toBe(403);
    expect(() => readdirSync(target)).toThrow();
  });

  it("answers 404 for another job's snapshot on every route, as for one that does not exist", async () => {
    const other = `/api/jobs/docs/snapshots/${otherId}`;
    for (const path of [
      `${other}/tree?path=${q(data)}`,
      `${other}/file?path=${q(join(data, "big.bin"))}`,
      `${other}/archive?path=${q(data)}`,
      `/api/jobs/docs/snapshots/deadbeef/tree`,
      `/api/jobs/docs/snapshots/not-hex/tree`,
    ]) {
      const reply = await browser.get(path);
      expect([path, reply.status, reply.json()]).toEqual([
        path,
        404,
        { error: { code: "SNAPSHOT_NOT_FOUND", message: expect.any(String) } },
      ]);
    }
    const target = join(dir, "other-restore");
    const restore = await browser.post(`${other}/restore`, { paths: [data], target });
    expect([restore.status, restore.json()]).toMatchObject([404, { error: { code: "SNAPSHOT_NOT_FOUND" } }]);
    expect((await browser.get(`${base()}/tree?path=${q(join(data, "nope"))}`)).status).toBe(404);
  });

  it("answers 400 for a path that is relative, climbs with .., or names the wrong kind", async () => {
    for (const path of [
      `${base()}/tree?path=${q("../etc")}`,
      `${base()}/tree?path=${q("relative/folder")}`,
      `${base()}/tree?path=${q(`${data}/../../etc`)}`,
      `${base()}/file?path=${q(`${data}/./big.bin`)}`,
      `${base()}/file?path=${q(`${data}/sub`)}`,
      `${base()}/file`,
      `${base()}/archive?path=${q(join(data, "big.bin"))}`,
      `${base()}/archive?path=${q(data)}&format=rar`,
    ]) {
      const reply = await browser.get(path);
      expect([path, reply.status, reply.json()]).toEqual([
        path,
        400,
        { error: { code: "BAD_REQUEST", message: expect.any(String) } },
      ]);
    }
    for (const body of [
      { paths: ["../etc"], target: join(dir, "x") },
      { paths: [], target: join(dir, "x") },
      { paths: [data], target: "relative/folder" },
      { paths: [data], target: `${dir}/../x` },
      { paths: [data], target: join(dir, "x"), overwrite: "yes" },
    ]) {
      const reply = await browser.post(`${base()}/restore`, body);
      expect([body, reply.status]).toEqual([body, 400]);
    }
  });

  it("puts the job's password in no response of the snapshot routes", async () => {
    const replies = await Promise.all([
      browser.get("/api/jobs/docs/snapshots"),
      browser.get(`${base()}/tree?path=${q(data)}`),
      browser.get(`/api/jobs/docs/snapshots/${otherId}/tree`),
    ]);
    for (const reply of replies) expect(reply.text + JSON.stringify(reply.headers)).not.toContain(PASSWORD);
  });
});
