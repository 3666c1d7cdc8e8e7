import { describe, expect, it } from "vitest";
import type { ResticErrorCode } from "../../src/errors.js";
import {
  classifyFailure,
  findSkippedSources,
  parseLockHolder,
  stderrTail,
} from "../../src/restic/classify.js";
import { parseResticLine } from "../../src/restic/output.js";
import { capturedRun, fixture } from "./fixtures.js";

const LAB = "/tmp/simplebackup-restic-lab";

describe("classifyFailure on restic 0.14.0 captures", () => {
  it.each<[string, ResticErrorCode, string | RegExp]>([
    ["repo-not-found", "REPO_NOT_FOUND", `No restic repository at ${LAB}/nonexistent`],
    // A rest server answering 404 for /config: the repository is absent, not the server.
    ["backend-http-404", "REPO_NOT_FOUND", "No restic repository at rest:http://127.0.0.1:18404/"],
    ["wrong-password", "WRONG_PASSWORD", /^Wrong password/],
    [
      "password-file-missing",
      "PASSWORD_UNAVAILABLE",
      `Could not get the repository password: ${LAB}/missing.txt does not exist`,
    ],
    [
      "password-empty",
      "PASSWORD_UNAVAILABLE",
      "Could not get the repository password: an empty password is not a password",
    ],
    [
      "password-command-failed",
      "PASSWORD_UNAVAILABLE",
      "Could not get the repository password: exit status 7",
    ],
    [
      "locked-shared",
      "REPO_LOCKED",
      /^Repository is locked by PID \d+ on vm by root since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d;/,
    ],
    ["locked-exclusive", "REPO_LOCKED", /^Repository is locked exclusively by PID \d+ on vm by root since /],
    [
      "disk-full",
      "DESTINATION_FULL",
      `Destination full: no space left on device writing to ${LAB}/full/repo`,
    ],
    ["sigint", "INTERRUPTED", /interrupted/],
    ["backup-missing-all-sources", "SOURCE_MISSING", `None of the backup sources exist: ${LAB}/gone`],
    [
      "backend-connection-refused",
      "BACKEND_UNAVAILABLE",
      'Cannot reach the repository backend: unable to open config file: client.Head: Head "http://127.0.0.1:1/config": dial tcp 127.0.0.1:1: connect: connection refused',
    ],
    ["backend-no-such-host", "BACKEND_UNAVAILABLE", /^Cannot reach the repository backend: .*no such host$/],
    [
      "backend-http-502",
      "BACKEND_UNAVAILABLE",
      "Cannot reach the repository backend: unable to open config file: unexpected HTTP response (502): 502 Bad Gateway",
    ],
    [
      "backend-sftp-refused",
      "BACKEND_UNAVAILABLE",
      "Cannot reach the repository backend: ssh: connect to host 127.0.0.1 port 22: Connection refused",
    ],
    ["init-existing", "RESTIC_FAILED", `create repository at ${LAB}/repo failed: config file already exists`],
    ["backup-unreadable", "RESTIC_FAILED", "Warning: at least one source file could not be read"],
  ])("classifies %s as %s", (name, code, message) => {
    const { exitCode, stderr } = capturedRun(name);
    expect(stderr).not.toBe("");
    const messages = stderr.split("\n").flatMap((line) => parseResticLine(line) ?? []);
    const failure = classifyFailure({ exitCode, stderr, messages });
    expect(failure.code).toBe(code);
    if (typeof message === "string") expect(failure.message).toBe(message);
    else expect(failure.message).toMatch(message);
  });
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
});

describe("classifyFailure on 0.18 exit_error JSON", () => {
  const lines = fixture("exit-errors.0.18.documented.txt").trim().split("\n");
  const expected: [ResticErrorCode, string | RegExp][] = [
    ["REPO_NOT_FOUND", "No restic repository at /srv/repo"],
    ["REPO_LOCKED", /^Repository is locked by PID 5804 on vm by root since 2026-11-25 10:13:10;/],
    ["WRONG_PASSWORD", /^Wrong password/],
    ["DESTINATION_FULL", "Destination full: no space left on device writing to /srv/full/repo"],
    ["BACKEND_UNAVAILABLE", /^Cannot reach the repository backend: .*connection refused$/],
    ["SOURCE_MISSING", "None of the backup sources exist"],
    ["RESTIC_FAILED", "create repository at /srv/repo failed: config file already exists"],
  ];

  it("has one expectation per documented line", () => {
    expect(lines).toHaveLength(expected.length);
  });

  it.each(expected.map(([code, message], i) => [lines[i] ?? "", code, message] as const))(
    "classifies %s",
    (line, code, message) => {
      const exitError = parseResticLine(line);
      const exitCode = exitError?.message_type === "exit_error" ? exitError.code : undefined;
      for (const input of [
        // As the adapter passes it: stderr plus the parsed messages,
        { exitCode, stderr: line, messages: exitError ? [exitError] : [] },
        // or stderr alone, and without an exit code (the JSON carries it).
        { exitCode: undefined, stderr: `${line}\n` },
      ]) {
        const failure = classifyFailure(input);
        expect(failure.code).toBe(code);
        if (typeof message === "string") expect(failure.message).toBe(message);
        else expect(failure.message).toMatch(message);
      }
    },
  );

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
      "Fatal: repository does not exist: unable to open config file: stat /r/config: no such file or directory\nIs there a repository at the following location?\n/r",
      "REPO_NOT_FOUND",
    ],
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

describe("parseLockHolder", () => {
  it("reads the holder of a shared and of an exclusive lock", () => {
    expect(parseLockHolder(capturedRun("locked-shared").stderr)).toEqual({
      pid: expect.any(Number),
      host: "vm",
      user: "root",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      ageSeconds: expect.any(Number),
      exclusive: false,
      storageId: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    expect(parseLockHolder(capturedRun("locked-exclusive").stderr)).toMatchObject({ exclusive: true });
  });

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

  it("returns undefined when no lock is mentioned", () => {
    expect(parseLockHolder(capturedRun("wrong-password").stderr)).toBeUndefined();
    expect(parseLockHolder("")).toBeUndefined();
  });
});

describe("findSkippedSources", () => {
  it("lists the sources 0.14 skipped while still exiting 0", () => {
    const run = capturedRun("backup-missing-one-source");
    expect(run.exitCode).toBe(0);
    expect(findSkippedSources(run.stderr)).toEqual([`${LAB}/gone`]);
  });

  it("lists nothing for a clean run and keeps paths with spaces", () => {
    expect(findSkippedSources("")).toEqual([]);
    expect(findSkippedSources("/a b does not exist, skipping\r\n/c does not exist, skipping\n")).toEqual([
      "/a b",
      "/c",
    ]);
  });
});

describe("stderrTail", () => {
  it("strips the erase-line escape 0.14 prints on SIGINT", () => {
    const stderr = capturedRun("sigint").stderr;
    expect(stderr.startsWith("\x1b[2K")).toBe(true);
    expect(stderrTail(stderr)).toBe("signal interrupt received, cleaning up");
  });

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
