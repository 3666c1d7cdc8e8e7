import { describe, expect, it } from "vitest";
import { parseResticLine, type ResticMessage } from "../../src/restic/messages.js";
import { CAPTURES } from "./fixtures.js";

const LAB = "/tmp/simplebackup-restic-lab";

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

describe.each(CAPTURES)("parseResticLine on restic $version captures", (capture) => {
  const newer = capture.atLeast("0.17.0");

  it("reads a backup's summary (and its status lines, if restic was slow enough to print any)", () => {
    const messages = parseAll(capture.run("backup").stdout);
    expect(kinds(messages).summary).toBe(1);
    expect(Object.keys(kinds(messages)).sort()).toEqual(
      kinds(messages).status ? ["status", "summary"] : ["summary"],
    );
    const [summary] = only(messages, "summary");
    expect(summary).toMatchObject({
      files_new: 9,
      files_changed: 0,
      dirs_new: 7,
      total_files_processed: 9,
      total_bytes_processed: 15028,
    });
    if (newer) {
      // 0.15+: the full id; 0.17+: the packed size; 0.18: start and end times.
      expect(summary?.snapshot_id).toMatch(/^[0-9a-f]{64}$/);
      expect(summary?.data_added_packed).toBeGreaterThan(0);
      expect(Date.parse(summary?.backup_end ?? "")).toBeGreaterThan(Date.parse(summary?.backup_start ?? ""));
    } else {
      expect(summary?.snapshot_id).toMatch(/^[0-9a-f]{8}$/);
      expect(summary).not.toHaveProperty("data_added_packed");
      expect(summary).not.toHaveProperty("backup_start");
    }
  });

  it("reads -v's verbose_status lines, 0.14's scan_finished `status` among them", () => {
    const messages = parseAll(capture.run("backup-verbose").stdout);
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

  it("reads the errors of an unreadable folder and file (stderr, exit 3)", () => {
    const run = capture.run("backup-unreadable");
    expect(run.exitCode).toBe(3);
    const messages = parseAll(run.stderr);
    const docs = `${LAB}/nb/src/docs`;
    const file2 = `${LAB}/nb/src/src/lib/file2.bin`;
    // 0.14 prints raw Go errors (`{}` for the folder), 0.17.1+ `{"message": …}`.
    const docsMessage = newer
      ? `openfile for readdirnames failed: open ${docs}: permission denied`
      : "could not read";
    expect(only(messages, "error")).toEqual([
      { message_type: "error", message: docsMessage, during: "scan", item: docs },
      { message_type: "error", message: docsMessage, during: "archival", item: docs },
      { message_type: "error", message: `open ${file2}: permission denied`, during: "archival", item: file2 },
    ]);
    const warning = "Warning: at least one source file could not be read";
    if (newer) {
      expect(kinds(messages)).toEqual({ error: 3, exit_error: 1 });
      expect(only(messages, "exit_error")).toEqual([
        { message_type: "exit_error", code: 3, message: warning },
      ]);
    } else {
      expect(kinds(messages)).toEqual({ error: 3, unknown: 1 });
      expect(only(messages, "unknown")[0]?.line).toBe(warning);
    }
    expect(only(parseAll(run.stdout), "summary")[0]).toMatchObject({ files_new: 5 });
  });

  it("keeps a SIGINT-ed backup's stdout as status lines only", () => {
    const run = capture.run("sigint");
    // 0.17-0.18 exit 1 on SIGINT during a backup (restic issue #5258).
    expect(run.exitCode).toBe(newer ? 1 : 130);
    const messages = parseAll(run.stdout);
    expect(messages.length).toBeGreaterThan(0);
    expect(Object.keys(kinds(messages))).toEqual(["status"]);
  });

  it("keeps every stderr line it does not model as unknown, never dropping one", () => {
    const names = ["disk-full", "repo-not-found", "repo-not-found-text", "locked-shared", "sigint"];
    for (const name of [...names, "backup-missing-one-source", "backend-connection-refused"]) {
      const stderr = capture.run(name).stderr;
      const messages = parseAll(stderr);
      expect(messages.every((m) => m.message_type === "unknown" || m.message_type === "exit_error")).toBe(
        true,
      );
      expect(messages, name).toHaveLength(stderr.split("\n").filter((l) => l.trim()).length);
    }
  });

  it("reads a backup --skip-if-unchanged skipped (0.17+): no snapshot_id, no bogus times", () => {
    const run = capture.run("backup-skip-if-unchanged");
    if (!newer) {
      expect(run).toMatchObject({ exitCode: 1, stderr: "unknown flag: --skip-if-unchanged\n" });
      return;
    }
    expect(run.exitCode).toBe(0);
    // restic printed backup_end "0001-01-01T00:00:00Z" and total_duration -9223372036.854776.
    expect(run.stdout).toContain('"backup_end":"0001-01-01T00:00:00Z"');
    const [summary] = only(parseAll(run.stdout), "summary");
    expect(summary).toMatchObject({ files_new: 0, files_changed: 0, dirs_changed: 0, total_duration: 0 });
    expect(summary?.snapshot_id).toBeUndefined();
    expect(summary?.backup_end).toBeUndefined();
    expect(summary?.backup_start).toMatch(/^\d{4}-/);
    expect(capture.run("backup-skip-if-unchanged-text").stdout).toContain("skipped creating snapshot");
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
