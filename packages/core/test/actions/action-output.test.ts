import { describe, expect, it } from "vitest";
import {
  parseLockIds,
  parseLockInfo,
  parseLsLine,
  parseRestoreLine,
  parseTimeNanos,
} from "../../src/restic/action-output.js";
import { CAPTURES } from "../restic/fixtures.js";

// Output captured from restic 0.14.0 and 0.18.0 (../restic/fixtures/, read through CAPTURES) or, for
// single lines, from 0.14.0. `restic check` output is read in check-output.test.ts.
const LAB = "/tmp/simplebackup-restic-lab";

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

describe("parseRestoreLine", () => {
  it("reads 0.14's text: the file errors and everything else as text", () => {
    expect(
      parseRestoreLine("ignoring error for /tmp/lab/src/sub/b.bin: ciphertext verification failed"),
    ).toEqual({
      kind: "file-error",
      error: { path: "/tmp/lab/src/sub/b.bin", message: "ciphertext verification failed" },
    });
    expect(parseRestoreLine("verifying files in /tmp/lab/t4")).toEqual({
      kind: "text",
      text: "verifying files in /tmp/lab/t4",
    });
    expect(parseRestoreLine("")).toBeUndefined();
  });
});

describe.each(CAPTURES)("parseRestoreLine on restic $version captures", (capture) => {
  const json = capture.atLeast("0.17.0");

  it("reads restore --json: 0.16+ prints status and summary lines, 0.14 ignores --json", () => {
    const parsed = lines(capture.run("restore-progress-json").stdout).map(parseRestoreLine);
    if (!json) {
      expect(parsed).toEqual([
        { kind: "text", text: expect.stringMatching(/^restoring <Snapshot [0-9a-f]{8} of /) },
      ]);
      return;
    }
    // 30 MB at 20 MB/s: at least one status line before the summary; counts include folders.
    expect(parsed.length).toBeGreaterThanOrEqual(2);
    expect(
      parsed.slice(0, -1).every((line) => line?.kind === "progress" && line.status.kind === "status"),
    ).toBe(true);
    expect(parsed.at(-1)).toEqual({
      kind: "progress",
      status: {
        kind: "summary",
        percentDone: undefined,
        secondsElapsed: undefined,
        totalFiles: 4,
        filesRestored: 4,
        filesSkipped: undefined,
        totalBytes: 30_000_000,
        bytesRestored: 30_000_000,
        bytesSkipped: undefined,
      },
    });
  });

  it("reads every file a damaged pack kept from being restored, text or JSON", () => {
    for (const name of ["restore-damaged", "restore-damaged-json"]) {
      const run = capture.run(name);
      expect(run.exitCode, name).toBe(1);
      const parsed = lines(run.stderr).map(parseRestoreLine);
      const errors = parsed.flatMap((line) => (line?.kind === "file-error" ? [line.error] : []));
      // restic counts two errors per damaged file: the blob, then setting the missing file's metadata.
      const counted = Number(/There were (\d+) errors/.exec(run.stderr)?.[1]);
      expect(errors, name).toHaveLength(counted);
      for (const error of errors) expect(error.path.startsWith(`${LAB}/src/`), name).toBe(true);
      expect(errors[0]?.message, name).toMatch(/ciphertext verification failed$/);
      if (json && name.endsWith("-json")) {
        // The closing exit_error is neither progress nor a file error.
        expect(parsed.at(-1), name).toBeUndefined();
      } else {
        expect(parsed.at(-1), name).toEqual({ kind: "text", text: `Fatal: There were ${counted} errors` });
      }
    }
  });
});

describe("parseLsLine", () => {
  it("reads 0.14's struct_type lines", () => {
    expect(
      parseLsLine(
        '{"time":"2026-11-25T11:38:35.908055502Z","tree":"752eff3e","paths":["/tmp/lab/src"],"hostname":"vm","username":"root","tags":["simplebackup:j"],"id":"44c3960adcc98715031061c25e99a91f20d6b2e4b429392e42ad66d9ca1468ff","short_id":"44c3960a","struct_type":"snapshot"}',
      ),
    ).toMatchObject({ kind: "snapshot", shortId: "44c3960a", paths: ["/tmp/lab/src"] });
    expect(
      parseLsLine(
        '{"name":"empty","type":"file","path":"/tmp/lab/src3/empty","uid":0,"gid":0,"size":0,"mode":420,"permissions":"-rw-r--r--","mtime":"2026-11-25T11:41:53.314825716Z","struct_type":"node"}',
      ),
    ).toEqual({
      kind: "node",
      node: { type: "file", path: "/tmp/lab/src3/empty", size: 0, mtime: "2026-11-25T11:41:53.314825716Z" },
    });
  });

  it("ignores text", () => {
    expect(parseLsLine('Ignoring "latest", no snapshot matched given filter')).toBeUndefined();
  });
});

describe.each(CAPTURES)("parseLsLine on restic $version captures", (capture) => {
  it("reads ls --json: the snapshot, then every node (0.17+ also names them in message_type)", () => {
    const stdout = capture.run("ls").stdout;
    expect(stdout.includes('"message_type":"node"')).toBe(capture.atLeast("0.17.0"));
    const [snapshot, ...nodes] = lines(stdout).map(parseLsLine);
    expect(snapshot).toMatchObject({
      kind: "snapshot",
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      shortId: expect.stringMatching(/^[0-9a-f]{8}$/),
      paths: [`${LAB}/src`],
    });
    // The source's parent folders, then its 7 folders and 9 files.
    expect(nodes.map((node) => (node?.kind === "node" ? node.node.path : node))).toEqual([
      "/tmp",
      LAB,
      `${LAB}/src`,
      `${LAB}/src/README`,
      `${LAB}/src/docs`,
      `${LAB}/src/docs/notes`,
      `${LAB}/src/docs/notes/n1.txt`,
      `${LAB}/src/docs/notes/n2.txt`,
      `${LAB}/src/docs/notes/n3.txt`,
      `${LAB}/src/src`,
      `${LAB}/src/src/lib`,
      ...[1, 2, 3, 4, 5].map((i) => `${LAB}/src/src/lib/file${i}.bin`),
    ]);
    expect(nodes[3]).toEqual({
      kind: "node",
      node: {
        type: "file",
        path: `${LAB}/src/README`,
        size: 15,
        mtime: expect.stringMatching(/^\d{4}-.+Z$/),
      },
    });
    expect(nodes[1]).toMatchObject({ node: { type: "dir", size: 0 } });
  });

  it("reads no line of ls for a tag no snapshot has (0.14 exits 0, 0.18 exits 1)", () => {
    const run = capture.run("ls-no-match");
    expect(run.exitCode).toBe(capture.atLeast("0.17.0") ? 1 : 0);
    expect(run.stdout).toBe("");
    expect(lines(run.stderr).map(parseLsLine)).toEqual([undefined]);
  });
});

describe("parseTimeNanos", () => {
  it("keeps all nine fraction digits and honours the offset", () => {
    const base = BigInt(Date.UTC(2026, 10, 25, 11, 38, 20)) * 1_000_000n;
    expect(parseTimeNanos("2026-11-25T11:38:20.538458189Z")).toBe(base + 538_458_189n);
    expect(parseTimeNanos("2026-11-25T12:38:20.538458189+01:00")).toBe(base + 538_458_189n);
    expect(parseTimeNanos("2026-11-25T11:38:20Z")).toBe(base);
    expect(parseTimeNanos("2026-11-25T11:38:20.5Z")).toBe(base + 500_000_000n);
    expect(parseTimeNanos("yesterday")).toBeUndefined();
  });
});

describe.each(CAPTURES)("locks on restic $version captures", (capture) => {
  it("reads `list locks` and `cat lock` of a backup's lock", () => {
    const ids = parseLockIds(capture.run("list-locks").stdout);
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(parseLockInfo(capture.run("cat-lock").stdout)).toEqual({
      time: expect.stringMatching(/^\d{4}-.+Z$/),
      exclusive: false,
      hostname: "vm",
      username: "root",
      pid: expect.any(Number),
    });
  });
});

describe("parseLockInfo", () => {
  it("is undefined for text that is not a lock", () => {
    expect(parseLockInfo("Fatal: no such file")).toBeUndefined();
    expect(parseLockIds("\n\n")).toEqual([]);
  });
});
