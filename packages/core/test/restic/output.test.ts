import { describe, expect, it } from "vitest";
import {
  parseForgetOutput,
  parseResticLine,
  parseResticVersion,
  parseSnapshots,
} from "../../src/restic/output.js";
import type { ResticMessage } from "../../src/restic/types.js";
import { capturedRun, fixture } from "./fixtures.js";

function parseAll(text: string): ResticMessage[] {
  return text.split("\n").flatMap((line) => parseResticLine(line) ?? []);
}

function kinds(messages: readonly ResticMessage[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of messages) counts[m.message_type] = (counts[m.message_type] ?? 0) + 1;
  return counts;
}

function only<T extends ResticMessage["message_type"]>(
  messages: readonly ResticMessage[],
  type: T,
): Extract<ResticMessage, { message_type: T }>[] {
  return messages.filter((m): m is Extract<ResticMessage, { message_type: T }> => m.message_type === type);
}

describe("parseResticLine on restic 0.14.0 captures", () => {
  it("reads a backup's status lines and its summary", () => {
    const messages = parseAll(capturedRun("backup").stdout);
    expect(Object.keys(kinds(messages)).sort()).toEqual(["status", "summary"]);
    expect(only(messages, "status")[0]).toMatchObject({ percent_done: 0, total_files: 1 });
    expect(only(messages, "summary")).toEqual([
      expect.objectContaining({
        files_new: 9,
        files_changed: 0,
        dirs_new: 7,
        total_files_processed: 9,
        total_bytes_processed: 15028,
        snapshot_id: expect.stringMatching(/^[0-9a-f]{8}$/),
      }),
    ]);
  });

  it("turns 0.14's scan_finished `status` into a verbose_status", () => {
    const messages = parseAll(capturedRun("backup-verbose").stdout);
    const verbose = only(messages, "verbose_status");
    expect(verbose.filter((m) => m.action === "scan_finished")).toEqual([
      { message_type: "verbose_status", action: "scan_finished", item: "" },
    ]);
    // 9 files and 7 folders of the tree, plus the scan record.
    expect(verbose).toHaveLength(17);
    expect(verbose.map((m) => m.action)).toContain("modified");
    expect(only(messages, "status").every((m) => typeof m.percent_done === "number")).toBe(true);
    expect(only(messages, "summary")[0]).toMatchObject({ files_changed: 1, files_unmodified: 8 });
    expect(kinds(messages).unknown).toBeUndefined();
  });

  it("normalizes the raw Go errors of an unreadable folder and file (stderr, exit 3)", () => {
    const run = capturedRun("backup-unreadable");
    expect(run.exitCode).toBe(3);
    const messages = parseAll(run.stderr);
    expect(kinds(messages)).toEqual({ error: 3, unknown: 1 });
    expect(only(messages, "error")).toEqual([
      {
        message_type: "error",
        message: "could not read",
        during: "scan",
        item: "/tmp/simplebackup-restic-lab/nb/src/docs",
      },
      {
        message_type: "error",
        message: "could not read",
        during: "archival",
        item: "/tmp/simplebackup-restic-lab/nb/src/docs",
      },
      {
        message_type: "error",
        message: "open /tmp/simplebackup-restic-lab/nb/src/src/lib/file2.bin: permission denied",
        during: "archival",
        item: "/tmp/simplebackup-restic-lab/nb/src/src/lib/file2.bin",
      },
    ]);
    expect(only(messages, "unknown")[0]?.line).toBe("Warning: at least one source file could not be read");
    expect(only(parseAll(run.stdout), "summary")[0]).toMatchObject({ files_new: 5 });
  });

  it("keeps a SIGINT-ed backup's stdout as status lines only", () => {
    const run = capturedRun("sigint");
    expect(run.exitCode).toBe(130);
    const messages = parseAll(run.stdout);
    expect(messages.length).toBeGreaterThan(0);
    expect(Object.keys(kinds(messages))).toEqual(["status"]);
  });

  it("keeps the plain-text stderr lines as unknown, never dropping them", () => {
    for (const name of ["disk-full", "repo-not-found", "locked-shared", "backup-missing-one-source"]) {
      const stderr = capturedRun(name).stderr;
      const messages = parseAll(stderr);
      expect(messages.every((m) => m.message_type === "unknown")).toBe(true);
      expect(messages).toHaveLength(stderr.split("\n").filter((l) => l.trim()).length);
    }
  });
});

describe("parseResticLine on documented 0.17/0.18 shapes", () => {
  it("reads the 0.18 summary with its full id, packed size and times", () => {
    const messages = parseAll(fixture("backup.0.18.documented.txt"));
    expect(kinds(messages)).toEqual({ status: 2, verbose_status: 1, summary: 1 });
    expect(only(messages, "status")[1]?.current_files).toEqual(["/srv/src/lib/file3.bin"]);
    expect(only(messages, "summary")[0]).toMatchObject({
      data_added_packed: 9876,
      backup_start: "2025-03-01T10:00:00.123456789+01:00",
      backup_end: "2025-03-01T10:00:01.339823231+01:00",
      snapshot_id: "8ec84dc21bae31769928231f639136e93d88393a5e8900c14d1386886216e48e",
    });
  });

  it("accepts a summary without snapshot_id (--skip-if-unchanged)", () => {
    const [summary] = only(parseAll(fixture("backup-skipped.0.18.documented.txt")), "summary");
    expect(summary).toBeDefined();
    expect(summary?.snapshot_id).toBeUndefined();
  });

  it("reads {message} errors and the exit_error", () => {
    const messages = parseAll(fixture("backup-unreadable.0.18.documented.txt"));
    expect(only(messages, "error").map((m) => m.message)).toEqual([
      "open /srv/src/docs: permission denied",
      "open /srv/src/lib/file2.bin: permission denied",
    ]);
    expect(only(messages, "exit_error")).toEqual([
      {
        message_type: "exit_error",
        code: 3,
        message: "Warning: at least one source file could not be read",
      },
    ]);
  });
});

describe("parseResticLine error normalization", () => {
  it.each([
    [{}, "could not read"],
    [{ Op: "open", Path: "/x", Err: 2 }, "open /x: no such file or directory"],
    [{ Op: "open", Path: "/x", Err: 13 }, "open /x: permission denied"],
    [{ Op: "write", Path: "/x", Err: 28 }, "write /x: no space left on device"],
    [{ Op: "read", Path: "/x", Err: 5 }, "read /x: input/output error"],
    [{ Op: "lstat", Path: "/x", Err: 4242 }, "lstat /x: errno 4242"],
    [{ Syscall: "getxattr", Err: 61 }, "getxattr: errno 61"],
    [{ Op: "open", Path: "/x", Err: { Syscall: "openat", Err: 13 } }, "open /x: openat: permission denied"],
    [{ message: "open /x: permission denied" }, "open /x: permission denied"],
    ["plain text error", "plain text error"],
    [null, "could not read"],
    [{ Op: "open" }, "open"],
  ])("turns %j into %j", (error, message) => {
    const line = JSON.stringify({ message_type: "error", error, during: "archival", item: "/x" });
    expect(parseResticLine(line)).toEqual({ message_type: "error", message, during: "archival", item: "/x" });
  });

  it("leaves out during and item when restic did", () => {
    expect(parseResticLine('{"message_type":"error","error":{}}')).toEqual({
      message_type: "error",
      message: "could not read",
    });
  });
});

describe("parseResticLine robustness", () => {
  it.each(["", "   ", "\r", "\n", "\t \r\n"])("returns undefined for the blank line %j", (line) => {
    expect(parseResticLine(line)).toBeUndefined();
  });

  it.each([
    "no parent snapshot found, will read all files",
    '{"message_type":"status","percent_done":0.5',
    '{"message_type":"summary"}',
    '{"message_type":"status","percent_done":"50%"}',
    '{"message_type":"status","percent_done":0.1,"total_files":"many"}',
    '{"message_type":"status","percent_done":0.1,"current_files":[1,2]}',
    '{"message_type":"exit_error","code":"1","message":"x"}',
    '{"message_type":"verbose_status"}',
    '{"message_type":"initialized","id":"abc","repository":"/srv/repo"}',
    '{"no_type":true}',
    "[1,2,3]",
    "null",
    "42",
    '"a string"',
    "{}",
    "{garbage}",
    "\u0000\u0001\u0002",
    "\x1b[2Ksignal interrupt received, cleaning up",
    "[0:00] 100.00%  10 / 10 snapshots",
  ])("keeps %j as unknown", (line) => {
    expect(parseResticLine(line)).toEqual({ message_type: "unknown", line });
  });

  it("strips only the line ending from the kept raw line", () => {
    expect(parseResticLine("  Fatal: x  \r\n")).toEqual({ message_type: "unknown", line: "  Fatal: x  " });
  });

  it("accepts a CRLF-terminated JSON line", () => {
    expect(parseResticLine('{"message_type":"status","percent_done":0.25}\r')).toEqual({
      message_type: "status",
      percent_done: 0.25,
    });
  });

  it("survives 1 MB lines, JSON or not", () => {
    const files = Array.from({ length: 20_000 }, (_, i) => `/srv/data/${"x".repeat(40)}/${i}`);
    const status = JSON.stringify({ message_type: "status", percent_done: 0.5, current_files: files });
    expect(status.length).toBeGreaterThan(1_000_000);
    expect(parseResticLine(status)).toMatchObject({ message_type: "status", percent_done: 0.5 });

    const truncated = status.slice(0, 1_000_000);
    expect(parseResticLine(truncated)).toEqual({ message_type: "unknown", line: truncated });
    const noise = "{".repeat(1_000_000);
    expect(parseResticLine(noise)).toEqual({ message_type: "unknown", line: noise });
  });

  it("never throws on random bytes", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i++) {
      const length = Math.floor(random() * 200);
      const line = Array.from({ length }, () => String.fromCharCode(Math.floor(random() * 128))).join("");
      expect(() => parseResticLine(`{"message_type":"status",${line}`)).not.toThrow();
      expect(() => parseResticLine(line)).not.toThrow();
    }
  });

  it("drops fields it does not model", () => {
    expect(
      parseResticLine('{"message_type":"verbose_status","action":"new","item":"/a","data_size":3}'),
    ).toEqual({ message_type: "verbose_status", action: "new", item: "/a" });
  });
});

describe("parseForgetOutput", () => {
  it("reads the first line of forget --prune --json and ignores prune's report", () => {
    const run = capturedRun("forget-prune");
    expect(run.stdout).toContain("loading indexes...");
    const groups = parseForgetOutput(run.stdout);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toMatchObject({ tags: null, host: "vm", paths: [] });
    expect(group?.keep.map((s) => s.time)).toEqual([
      "2024-03-08T10:00:00Z",
      "2024-03-07T10:00:00Z",
      "2024-03-06T10:00:00Z",
      "2024-03-05T10:00:00Z",
    ]);
    expect(group?.remove.map((s) => s.time)).toEqual([
      "2024-03-04T10:00:00Z",
      "2024-03-03T10:00:00Z",
      "2024-03-02T10:00:00Z",
      "2024-03-01T10:00:00Z",
    ]);
    // One history although job A's sources and user tags changed; job B is not in the report at all.
    expect(group?.keep[0]).toMatchObject({
      paths: ["/tmp/simplebackup-restic-lab/jobs/a1", "/tmp/simplebackup-restic-lab/jobs/a2"],
      tags: ["simplebackup:A", "offsite"],
    });
    const allTags = [...(group?.keep ?? []), ...(group?.remove ?? [])].flatMap((s) => s.tags ?? []);
    expect(allTags).not.toContain("simplebackup:B");
    for (const snapshot of [...(group?.keep ?? []), ...(group?.remove ?? [])]) {
      expect(snapshot.id).toMatch(/^[0-9a-f]{64}$/);
      expect(snapshot.id?.startsWith(snapshot.short_id ?? "-")).toBe(true);
    }
  });

  it("gives 0.14's id-less reasons the id of the kept snapshot they describe", () => {
    const [group] = parseForgetOutput(capturedRun("forget-dry-run").stdout);
    expect(group?.reasons).toHaveLength(4);
    expect(group?.reasons.map((r) => r.id)).toEqual(group?.keep.map((s) => s.id));
    expect(group?.reasons[0]?.matches).toEqual(["last snapshot", "daily snapshot"]);
    expect(group?.reasons[3]?.matches).toEqual(["daily snapshot"]);
  });

  it("reads the 0.17+ shape with reason ids", () => {
    const [group] = parseForgetOutput(fixture("forget.0.18.documented.txt"));
    expect(group?.reasons).toEqual([
      { id: "2fdba8d7902ce1a5b2313c01ddbc0a2f36c393052f28d4e5159faad377420110", matches: ["last snapshot"] },
    ]);
    expect(group?.remove.map((s) => s.short_id)).toEqual(["51835573"]);
  });

  it("reads empty output (no policy: 0.14 prints nothing) as no groups", () => {
    expect(capturedRun("forget-no-policy").stdout).toBe("");
    expect(parseForgetOutput("")).toEqual([]);
    expect(parseForgetOutput("[]\n")).toEqual([]);
  });

  it("turns the nulls restic prints for empty lists into empty lists", () => {
    const line = JSON.stringify([
      {
        tags: ["simplebackup:A"],
        host: "vm",
        paths: ["/a"],
        keep: null,
        remove: [{ time: "2024-01-01T00:00:00Z", paths: ["/a"], id: "ab", short_id: "ab" }],
        reasons: null,
      },
    ]);
    expect(parseForgetOutput(line)).toEqual([
      {
        tags: ["simplebackup:A"],
        host: "vm",
        paths: ["/a"],
        keep: [],
        remove: [{ id: "ab", short_id: "ab", time: "2024-01-01T00:00:00Z", paths: ["/a"] }],
        reasons: [],
      },
    ]);
  });

  it.each(["loading indexes...", "{not json", '{"tags":null}', '[{"host":"vm","keep":[{"id":1}]}]'])(
    "throws a readable error for %j",
    (stdout) => {
      expect(() => parseForgetOutput(stdout)).toThrow(/restic forget --json printed/);
    },
  );
});

describe("parseSnapshots", () => {
  it("reads snapshots --json", () => {
    const snapshots = parseSnapshots(capturedRun("snapshots").stdout);
    expect(snapshots).toHaveLength(3);
    expect(snapshots[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      short_id: expect.stringMatching(/^[0-9a-f]{8}$/),
      time: expect.any(String),
      tree: expect.stringMatching(/^[0-9a-f]{64}$/),
      paths: ["/tmp/simplebackup-restic-lab/src"],
      hostname: "vm",
      username: "root",
      tags: ["simplebackup:docs"],
    });
    expect(snapshots[1]?.parent).toBe(snapshots[0]?.id);
    expect(snapshots[2]?.tags).toBeUndefined();
  });

  it("reads both jobs after a forget", () => {
    const snapshots = parseSnapshots(capturedRun("snapshots-after-forget").stdout);
    const byJob = (tag: string) => snapshots.filter((s) => s.tags?.includes(tag)).length;
    expect([byJob("simplebackup:A"), byJob("simplebackup:B")]).toEqual([4, 6]);
  });

  it("reads `[]` and empty output as no snapshots", () => {
    expect(parseSnapshots(capturedRun("snapshots-no-match").stdout)).toEqual([]);
    expect(parseSnapshots("")).toEqual([]);
  });

  it("keeps the 0.17+ program_version and summary", () => {
    const [snapshot] = parseSnapshots(fixture("snapshots.0.18.documented.txt"));
    expect(snapshot?.program_version).toBe("restic 0.18.0");
    expect(snapshot?.summary).toMatchObject({ data_added_packed: 700 });
  });

  it("derives short_id when a version leaves it out", () => {
    const [snapshot] = parseSnapshots(
      JSON.stringify([
        { id: "0123456789abcdef", time: "t", tree: "x", paths: [], hostname: "h", username: "u" },
      ]),
    );
    expect(snapshot?.short_id).toBe("01234567");
  });

  it.each(["Fatal: wrong password", "{}", '[{"id":"x"}]'])("throws a readable error for %j", (stdout) => {
    expect(() => parseSnapshots(stdout)).toThrow(/restic snapshots --json printed/);
  });
});

describe("parseResticVersion", () => {
  it.each([
    [capturedRun("version").stdout, "0.14.0", 0, 14, 0],
    // 0.14 ignores --json here.
    [capturedRun("version-json").stdout, "0.14.0", 0, 14, 0],
    [fixture("version.0.18.documented.txt"), "0.18.0", 0, 18, 0],
    ["restic 0.16.0-dev (compiled manually) compiled with go1.20.3 on linux/amd64\n", "0.16.0-dev", 0, 16, 0],
    ["restic 0.17.3 compiled with go1.23.3 on darwin/arm64", "0.17.3", 0, 17, 3],
    ['{"message_type":"version","version":"1.2.3","go_version":"go1.25"}', "1.2.3", 1, 2, 3],
  ])("reads %j", (stdout, version, major, minor, patch) => {
    expect(parseResticVersion(stdout)).toEqual({ version, major, minor, patch });
  });

  it.each(["", "command not found", "restic", "restic vX", '{"message_type":"version"}'])(
    "returns undefined for %j",
    (stdout) => {
      expect(parseResticVersion(stdout)).toBeUndefined();
    },
  );
});
