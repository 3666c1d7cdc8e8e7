import { describe, expect, it } from "vitest";
import type { ResticErrorCode } from "../../src/errors.js";
import {
  classifyFailure,
  findSkippedSources,
  parseLockHolder,
  stderrTail,
} from "../../src/restic/classify.js";
import { parseResticLine, type ResticMessage } from "../../src/restic/messages.js";
import { CAPTURES, type CapturedRun } from "./fixtures.js";

const LAB = "/tmp/simplebackup-restic-lab";

type Expected = string | RegExp;

function expectMessage(actual: string, expected: Expected): void {
  if (typeof expected === "string") expect(actual).toBe(expected);
  else expect(actual).toMatch(expected);
}

function parseAll(text: string): ResticMessage[] {
  return text.split("\n").flatMap((line) => parseResticLine(line) ?? []);
}

/** As the adapter classifies a run: its exit code, its stderr and the messages parsed from it. */
function classifyRun(run: Pick<CapturedRun, "exitCode" | "stderr">) {
  return classifyFailure({ exitCode: run.exitCode, stderr: run.stderr, messages: parseAll(run.stderr) });
}

/**
 * Each captured failure's class and message, on 0.14 and, where it differs, on 0.17+ (`newer`).
 * The code comes from the exit code and `exit_error` on 0.18, from the stderr text on 0.14.
 */
const FAILURES: readonly {
  name: string;
  code: ResticErrorCode;
  message: Expected;
  newer?: { code?: ResticErrorCode; message?: Expected };
}[] = [
  { name: "repo-not-found", code: "REPO_NOT_FOUND", message: `No restic repository at ${LAB}/nonexistent` },
  {
    name: "repo-not-found-text",
    code: "REPO_NOT_FOUND",
    message: `No restic repository at ${LAB}/nonexistent`,
  },
  // A rest server answering 404 for /config: the repository is absent, not the server.
  {
    name: "backend-http-404",
    code: "REPO_NOT_FOUND",
    message: "No restic repository at rest:http://127.0.0.1:18404/",
  },
  { name: "wrong-password", code: "WRONG_PASSWORD", message: /^Wrong password/ },
  {
    name: "password-file-missing",
    code: "PASSWORD_UNAVAILABLE",
    message: `Could not get the repository password: ${LAB}/missing.txt does not exist`,
  },
  {
    name: "password-empty",
    code: "PASSWORD_UNAVAILABLE",
    message: "Could not get the repository password: an empty password is not a password",
    newer: { message: "Could not get the repository password: an empty password is not allowed by default" },
  },
  {
    name: "password-command-failed",
    code: "PASSWORD_UNAVAILABLE",
    message: "Could not get the repository password: exit status 7",
  },
  {
    name: "locked-shared",
    code: "REPO_LOCKED",
    message: /^Repository is locked by PID \d+ on vm by root since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d;/,
  },
  {
    name: "locked-exclusive",
    code: "REPO_LOCKED",
    message: /^Repository is locked exclusively by PID \d+ on vm by root since /,
  },
  {
    name: "disk-full",
    code: "DESTINATION_FULL",
    message: `Destination full: no space left on device writing to ${LAB}/full/repo`,
  },
  // 0.17-0.18 exit 1 on SIGINT during a backup (restic issue #5258); the text still says so.
  { name: "sigint", code: "INTERRUPTED", message: /interrupted/ },
  {
    name: "backup-missing-all-sources",
    code: "SOURCE_MISSING",
    message: `None of the backup sources exist: ${LAB}/gone`,
  },
  // 0.17+ retries an unreachable backend for ~15 minutes: capture.sh stopped it with SIGINT after 20 s,
  // so the capture as a whole is an interrupted run (its retry lines are tested below).
  {
    name: "backend-connection-refused",
    code: "BACKEND_UNAVAILABLE",
    message:
      'Cannot reach the repository backend: unable to open config file: client.Head: Head "http://127.0.0.1:1/config": dial tcp 127.0.0.1:1: connect: connection refused',
    newer: { code: "INTERRUPTED", message: /interrupted/ },
  },
  {
    name: "backend-no-such-host",
    code: "BACKEND_UNAVAILABLE",
    message: /^Cannot reach the repository backend: .*no such host$/,
    newer: { code: "INTERRUPTED", message: /interrupted/ },
  },
  {
    name: "backend-http-502",
    code: "BACKEND_UNAVAILABLE",
    message:
      "Cannot reach the repository backend: unable to open config file: unexpected HTTP response (502): 502 Bad Gateway",
    newer: { code: "INTERRUPTED", message: /interrupted/ },
  },
  {
    name: "backend-sftp-refused",
    code: "BACKEND_UNAVAILABLE",
    message:
      "Cannot reach the repository backend: ssh: connect to host 127.0.0.1 port 22: Connection refused",
    // 0.18's exit_error names the sftp session; the ssh line is still on stderr.
    newer: {
      message:
        /^Cannot reach the repository backend: unable to open repository at sftp:nobody@127\.0\.0\.1:\/repo: unable to start the sftp session/,
    },
  },
  {
    name: "init-existing",
    code: "RESTIC_FAILED",
    message: `create repository at ${LAB}/repo failed: config file already exists`,
    newer: {
      message: `create repository at ${LAB}/repo failed: unable to open repository at ${LAB}/repo: config file already exists`,
    },
  },
  {
    name: "backup-unreadable",
    code: "RESTIC_FAILED",
    message: "Warning: at least one source file could not be read",
  },
  {
    name: "restore-no-match",
    code: "RESTIC_FAILED",
    message: "latest snapshot for criteria not found: no snapshot found Paths:[] Hosts:[]",
    newer: {
      message:
        "failed to find snapshot: snapshot filter (Paths:[] Tags:[[simplebackup:nothing]] Hosts:[]): no snapshot found",
    },
  },
];

/** Cases capture.sh ran without `--json`: 0.18 prints its fatal error as text there. */
const TEXT_MODE = new Set(["repo-not-found-text", "init-existing"]);

/** The exit codes restic gave: 0.17 added 10 (no repository) and 11 (lock failed), 0.17.1 12. */
const EXIT_CODES: readonly [name: string, old: number, newer: number][] = [
  ["repo-not-found", 1, 10],
  ["repo-not-found-text", 1, 10],
  ["backend-http-404", 1, 10],
  ["locked-shared", 1, 11],
  ["locked-exclusive", 1, 11],
  ["wrong-password", 1, 12],
  ["sigint", 130, 1],
  ["backup-unreadable", 3, 3],
  ["backup-missing-all-sources", 1, 1],
  ["password-empty", 1, 1],
  ["disk-full", 1, 1],
];

describe.each(CAPTURES)("classifyFailure on restic $version captures", (capture) => {
  const newer = capture.atLeast("0.17.0");

  it.each(FAILURES)("classifies $name", (failure) => {
    const run = capture.run(failure.name);
    expect(run.stderr).not.toBe("");
    const expected = newer ? { ...failure, ...failure.newer } : failure;
    const classified = classifyRun(run);
    expect(classified.code).toBe(expected.code);
    expectMessage(classified.message, expected.message);
  });

  it.each(EXIT_CODES)("exits %s with the version's exit code", (name, old, newerCode) => {
    expect(capture.run(name).exitCode).toBe(newer ? newerCode : old);
  });

  if (newer) {
    it("states every fatal error with --json as one exit_error JSON line on stderr (0.18)", () => {
      for (const { name } of FAILURES) {
        const run = capture.run(name);
        const exitErrors = parseAll(run.stderr).filter((m) => m.message_type === "exit_error");
        expect(exitErrors, name).toHaveLength(TEXT_MODE.has(name) ? 0 : 1);
        if (exitErrors[0]?.message_type === "exit_error") expect(exitErrors[0].code, name).toBe(run.exitCode);
      }
    });

    // Interrupted runs are left out: SIGINT's own line is text outside the exit_error.
    const statedInJson = FAILURES.filter(
      (f) => !TEXT_MODE.has(f.name) && (f.newer?.code ?? f.code) !== "INTERRUPTED",
    );
    it.each(statedInJson)("classifies $name from its exit_error line alone, without exit code", (failure) => {
      const run = capture.run(failure.name);
      const line = run.stderr.split("\n").find((l) => l.includes('"message_type":"exit_error"')) ?? "";
      expect(classifyFailure({ exitCode: undefined, stderr: line }).code).toBe(
        failure.newer?.code ?? failure.code,
      );
    });

    it.each([
      ["repo-not-found", "REPO_NOT_FOUND"],
      ["locked-shared", "REPO_LOCKED"],
      ["wrong-password", "WRONG_PASSWORD"],
    ] as const)("classifies %s by its exit code alone", (name, code) => {
      expect(classifyFailure({ exitCode: capture.run(name).exitCode, stderr: "" }).code).toBe(code);
    });

    it.each(["backend-connection-refused", "backend-no-such-host", "backend-http-502"])(
      "reads the retry lines of %s, before the interrupt, as BACKEND_UNAVAILABLE",
      (name) => {
        const run = capture.run(name);
        expect(run.stoppedByCapture).toBe(true);
        const retries = run.stderr
          .split("\n")
          .filter((line) => / returned error, retrying after /.test(line));
        expect(retries.length).toBeGreaterThanOrEqual(3);
        expect(classifyFailure({ exitCode: undefined, stderr: retries.join("\n") }).code).toBe(
          "BACKEND_UNAVAILABLE",
        );
      },
    );
  }
});

describe("classifyFailure without words", () => {
  it.each<[number, ResticErrorCode, string]>([
    [10, "REPO_NOT_FOUND", "No restic repository at the configured location"],
    [11, "REPO_LOCKED", "Repository is locked by another restic process"],
    [12, "WRONG_PASSWORD", "Wrong password: no key in the repository matches it"],
    [130, "INTERRUPTED", "restic was interrupted (SIGINT) and stopped before finishing"],
    [1, "RESTIC_FAILED", "restic exited with code 1"],
    [2, "RESTIC_FAILED", "restic exited with code 2"],
    [42, "RESTIC_FAILED", "restic exited with code 42"],
  ])("reads exit code %i with empty stderr as %s", (exitCode, code, message) => {
    expect(classifyFailure({ exitCode, stderr: "" })).toEqual({ code, message });
  });

  it("says so when there is neither an exit code nor output", () => {
    expect(classifyFailure({ exitCode: undefined, stderr: "" })).toEqual({
      code: "RESTIC_FAILED",
      message: "restic failed without output",
    });
  });

  it("prefers the exit_error over stray stderr text", () => {
    const stderr = [
      '{"message_type":"error","error":{"message":"open /x: permission denied"},"during":"archival","item":"/x"}',
      '{"message_type":"exit_error","code":1,"message":"Fatal: unable to save snapshot: boom"}',
    ].join("\n");
    expect(classifyFailure({ exitCode: 1, stderr })).toEqual({
      code: "RESTIC_FAILED",
      message: "unable to save snapshot: boom",
    });
  });

  it("trusts the 0.17 exit code over 0.14-style text", () => {
    expect(classifyFailure({ exitCode: 11, stderr: "Fatal: something vague" }).code).toBe("REPO_LOCKED");
    expect(classifyFailure({ exitCode: 10, stderr: "Fatal: something vague" }).code).toBe("REPO_NOT_FOUND");
  });
});

describe("classifyFailure on texts not captured here", () => {
  it.each<[string, ResticErrorCode]>([
    [
      "Resolving password failed: Fatal: Password file and command are mutually exclusive options",
      "PASSWORD_UNAVAILABLE",
    ],
    [
      'Fatal: unable to open config file: Stat: Get "http://127.0.0.1:1/bucket/?location=": dial tcp 127.0.0.1:1: connect: connection refused',
      "BACKEND_UNAVAILABLE",
    ],
    [
      'Fatal: unable to save snapshot: Post "http://nas:8000/data/abc": read tcp 10.0.0.2:5000->10.0.0.3:8000: read: connection reset by peer',
      "BACKEND_UNAVAILABLE",
    ],
    [
      'Fatal: unable to open repository: Get "https://nas/": net/http: TLS handshake timeout',
      "BACKEND_UNAVAILABLE",
    ],
    ["Fatal: unable to open repository: i/o timeout", "BACKEND_UNAVAILABLE"],
    [
      "Save(<data/abc>) returned error: server response unexpected: 503 Service Unavailable (503)",
      "BACKEND_UNAVAILABLE",
    ],
    ['Fatal: unable to save snapshot: Post "http://nas:8000/data/abc": EOF', "BACKEND_UNAVAILABLE"],
    [
      "rclone: 2024/01/01 Failed to create file system: didn't find section in config file",
      "BACKEND_UNAVAILABLE",
    ],
    [
      "Fatal: unable to open config file: unexpected HTTP response (403): 403 Forbidden\nIs there a repository at the following location?\nrest:http://nas/",
      "RESTIC_FAILED",
    ],
    [
      "Fatal: unable to open config file: stat /r/config: permission denied\nIs there a repository at the following location?\n/r",
      "RESTIC_FAILED",
    ],
    ["unable to create lock in backend: write /r/locks/abc: no space left on device", "DESTINATION_FULL"],
    ["Fatal: nothing to backup, please specify target files/dirs", "RESTIC_FAILED"],
    ["Fatal: unable to load index 1a2b: read /r/index/1a2b: unexpected EOF", "RESTIC_FAILED"],
  ])("classifies %j as %s", (stderr, code) => {
    expect(classifyFailure({ exitCode: 1, stderr }).code).toBe(code);
  });

  it("names a full disk even when the path has spaces", () => {
    expect(
      classifyFailure({
        exitCode: 1,
        stderr:
          "Fatal: unable to save snapshot: write /mnt/My Disk/repo/index/e634-tmp-1: no space left on device",
      }).message,
    ).toBe("Destination full: no space left on device writing to /mnt/My Disk/repo");
  });

  it("names the first line of a Go panic rather than the goroutine dump", () => {
    const stderr =
      "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/restic/main.go:12 +0x1d";
    expect(classifyFailure({ exitCode: 2, stderr })).toEqual({
      code: "RESTIC_FAILED",
      message: "panic: runtime error: index out of range [3] with length 3",
    });
  });

  it("names the last Fatal line", () => {
    expect(
      classifyFailure({
        exitCode: 1,
        stderr:
          "Fatal: first\nsome note\nFatal: Please specify repository location (-r or --repository-file)\nmore",
      }).message,
    ).toBe("Please specify repository location (-r or --repository-file)");
  });
});

describe.each(CAPTURES)("parseLockHolder on restic $version captures", (capture) => {
  // 0.18 with --json states the conflict inside an exit_error line; 0.14 as plain text.
  it("reads the holder of a shared and of an exclusive lock", () => {
    expect(parseLockHolder(capture.run("locked-shared").stderr)).toEqual({
      pid: expect.any(Number),
      host: "vm",
      user: "root",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      ageSeconds: expect.any(Number),
      exclusive: false,
      storageId: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    expect(parseLockHolder(capture.run("locked-exclusive").stderr)).toMatchObject({ exclusive: true });
  });

  it("returns undefined when no lock is mentioned", () => {
    expect(parseLockHolder(capture.run("wrong-password").stderr)).toBeUndefined();
  });
});

describe("parseLockHolder", () => {
  it("reads the documented 0.14 text exactly", () => {
    const stderr = [
      "unable to create lock in backend: repository is already locked by PID 5804 on vm by root (UID 0, GID 0)",
      "lock was created at 2026-11-25 10:13:10 (2.236527495s ago)",
      "storage ID 640a58e8",
      "the `unlock` command can be used to remove stale locks",
    ].join("\n");
    expect(parseLockHolder(stderr)).toEqual({
      pid: 5804,
      host: "vm",
      user: "root",
      createdAt: "2026-11-25 10:13:10",
      ageSeconds: 2.236527495,
      exclusive: false,
      storageId: "640a58e8",
    });
  });

  it.each([
    ["350.539238ms", 0.350539238],
    ["1h2m3.5s", 3723.5],
    ["45m0s", 2700],
    ["731h0m0.000000001s", 2_631_600.000000001],
  ])("reads the lock age %s", (age, seconds) => {
    const holder = parseLockHolder(
      `repository is already locked by PID 1 on h by u (UID 1, GID 1)\nlock was created at 2026-01-01 00:00:00 (${age} ago)`,
    );
    expect(holder?.ageSeconds).toBeCloseTo(seconds, 6);
  });

  it("reads a Windows user with a domain and spaces", () => {
    expect(
      parseLockHolder(
        "repository is already locked exclusively by PID 12 on DESKTOP-1 by CORP\\Jane Doe (UID -1, GID -1)",
      ),
    ).toEqual({ pid: 12, host: "DESKTOP-1", user: "CORP\\Jane Doe", exclusive: true });
  });

  it("returns undefined for no text", () => {
    expect(parseLockHolder("")).toBeUndefined();
  });
});

describe.each(CAPTURES)("findSkippedSources on restic $version captures", (capture) => {
  it("lists the sources restic skipped while still exiting 0", () => {
    const run = capture.run("backup-missing-one-source");
    expect(run.exitCode).toBe(0);
    expect(findSkippedSources(run.stderr)).toEqual([`${LAB}/gone`]);
  });

  it("lists the skipped sources of a backup none of whose sources exist", () => {
    expect(findSkippedSources(capture.run("backup-missing-all-sources").stderr)).toEqual([`${LAB}/gone`]);
  });
});

describe("findSkippedSources", () => {
  it("lists nothing for a clean run and keeps paths with spaces", () => {
    expect(findSkippedSources("")).toEqual([]);
    expect(findSkippedSources("/a b does not exist, skipping\r\n/c does not exist, skipping\n")).toEqual([
      "/a b",
      "/c",
    ]);
  });
});

describe.each(CAPTURES)("stderrTail on restic $version captures", (capture) => {
  it("strips the erase-line escape restic prints on SIGINT", () => {
    const stderr = capture.run("sigint").stderr;
    expect(stderr.startsWith("\x1b[2K")).toBe(true);
    const tail = stderrTail(stderr).split("\n");
    expect(tail[0]).toBe("signal interrupt received, cleaning up");
    if (capture.atLeast("0.17.0")) {
      expect(tail.slice(1)).toEqual([
        '{"message_type":"exit_error","code":1,"message":"Fatal: unable to save snapshot: context canceled"}',
      ]);
    } else {
      expect(tail).toHaveLength(1);
    }
  });
});

describe("stderrTail", () => {
  it("keeps the last non-empty lines", () => {
    const stderr = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n\n  \n");
    expect(stderrTail(stderr, 3)).toBe("line 27\nline 28\nline 29");
    expect(stderrTail(stderr).split("\n")).toHaveLength(20);
    expect(stderrTail("")).toBe("");
  });

  it("splits progress redraws on carriage returns and drops colour codes", () => {
    expect(stderrTail("\x1b[31mred\x1b[0m\r[0:01] 50%\r[0:02] 100%\n")).toBe("red\n[0:01] 50%\n[0:02] 100%");
  });
});
