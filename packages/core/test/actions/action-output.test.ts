import { describe, expect, it } from "vitest";
import {
  parseLockIds,
  parseLockInfo,
  parseLsLine,
  parseRestoreLine,
  parseTimeNanos,
  snapshotSize,
} from "../../src/restic/action-output.js";

// Captured from restic 0.14.0 unless marked as a documented 0.17/0.18 shape. `restic check` output is
// read in check-output.test.ts, from captures of both versions.

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

  it("reads the JSON of 0.16+ (documented shape)", () => {
    expect(
      parseRestoreLine(
        '{"message_type":"status","seconds_elapsed":1,"percent_done":0.5,"total_files":4,"files_restored":2,"total_bytes":200,"bytes_restored":100}',
      ),
    ).toEqual({
      kind: "progress",
      status: {
        kind: "status",
        percentDone: 0.5,
        secondsElapsed: 1,
        totalFiles: 4,
        filesRestored: 2,
        filesSkipped: undefined,
        totalBytes: 200,
        bytesRestored: 100,
        bytesSkipped: undefined,
      },
    });
    expect(
      parseRestoreLine(
        '{"message_type":"error","error":{"message":"ciphertext verification failed"},"during":"restore","item":"/a/b"}',
      ),
    ).toEqual({ kind: "file-error", error: { path: "/a/b", message: "ciphertext verification failed" } });
    expect(
      parseRestoreLine('{"message_type":"verbose_status","action":"restored","item":"/a"}'),
    ).toBeUndefined();
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

  it("reads 0.17+'s message_type lines (documented shape) and ignores text", () => {
    expect(
      parseLsLine('{"message_type":"node","struct_type":"node","name":"d","type":"dir","path":"/d"}'),
    ).toEqual({
      kind: "node",
      node: { type: "dir", path: "/d", size: 0, mtime: undefined },
    });
    expect(parseLsLine('Ignoring "latest", no snapshot matched given filter')).toBeUndefined();
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

describe("snapshotSize", () => {
  it("is known from 0.17's snapshot summary, unknown before", () => {
    expect(snapshotSize({ summary: { total_bytes_processed: 2048 } })).toBe(2048);
    expect(snapshotSize({})).toBeUndefined();
    expect(snapshotSize({ summary: { total_bytes_processed: "2048" } })).toBeUndefined();
  });
});

describe("locks", () => {
  it("reads `list locks` and `cat lock`", () => {
    const id = "fafdd56343a26d73cc275fdac0523acd7a363fc53b69638a49c1bc2747dc9c05";
    expect(parseLockIds(`${id}\n\n`)).toEqual([id]);
    expect(
      parseLockInfo(`{
  "time": "2026-11-25T11:42:24.220895522Z",
  "exclusive": true,
  "hostname": "vm",
  "username": "root",
  "pid": 7393
}`),
    ).toEqual({
      time: "2026-11-25T11:42:24.220895522Z",
      exclusive: true,
      hostname: "vm",
      username: "root",
      pid: 7393,
    });
    expect(parseLockInfo("Fatal: no such file")).toBeUndefined();
  });
});
