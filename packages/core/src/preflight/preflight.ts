import path from "node:path";
import { localRepositoryPath } from "../config/repository-path.js";
import type { BackupJob, PasswordSource, ResolvedConfig } from "../config/types.js";
import type { ResticVersion } from "../restic/commands/version.js";
import {
  describeUnmet,
  fixForUnmet,
  resticRequirements,
  unmetRequirements,
} from "../restic/version-requirements.js";

/**
 * Checks beyond the schema: a config can be valid and still fail on its first run (the password file
 * was never created, the drive is not mounted, restic is not installed). Each finding is a warning,
 * not an error, because the file itself is right and the world may change before the run.
 *
 * The checks only look: they read file facts and the environment through `PreflightIO`, so the
 * daemon, an embedding app and tests can run them with their own (tests with no disk at all).
 */

export type PreflightCode =
  | "PASSWORD_FILE_MISSING"
  | "PASSWORD_FILE_NOT_A_FILE"
  | "PASSWORD_FILE_EMPTY"
  | "PASSWORD_FILE_UNREADABLE"
  | "PASSWORD_FILE_EXPOSED"
  | "PASSWORD_ENV_UNSET"
  | "PASSWORD_COMMAND_NOT_FOUND"
  | "SOURCE_MISSING"
  | "DESTINATION_NOT_A_FOLDER"
  | "DESTINATION_PARENT_MISSING"
  | "RESTIC_NOT_FOUND"
  | "RESTIC_TOO_OLD";

export interface PreflightWarning {
  readonly code: PreflightCode;
  /** The job it is about; absent for the config as a whole (restic itself). */
  readonly job?: string;
  /** The key in the file, e.g. `backupjobs[0].password_file`. */
  readonly path: string;
  /** What is wrong, naming the file, variable or program. Never a password. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
  /**
   * Not a warning but a refusal: every run of the job fails at once until it is fixed, whatever else
   * changes (a key this restic cannot honour). `validate` exits 2 for it, as for a config mistake.
   */
  readonly blocking?: true;
}

/** What a path holds, following symbolic links. */
export interface PathFacts {
  readonly type: "file" | "directory" | "other";
  /** Permission bits, e.g. 0o600. */
  readonly mode: number;
  readonly size: number;
  /** Whether this process may read it (a file made with sudo is often not). */
  readonly readable: boolean;
}

export interface PreflightIO {
  /** What is at `path`, or undefined when nothing is (or it cannot be reached). */
  stat(path: string): Promise<PathFacts | undefined>;
  /** The environment restic will inherit: password_env is read from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a program is: a path as written, a bare name on PATH. Undefined when not found. */
  which(program: string): Promise<string | undefined>;
  /** Finds restic as a run does (`restic_binary`, RESTIC_BINARY, PATH); undefined when not found. */
  findRestic(configured: string | undefined): Promise<string | undefined>;
  /** `restic version` of that binary; undefined when it cannot be read. Asked only when a key needs it. */
  resticVersion(binary: string): Promise<ResticVersion | undefined>;
  readonly platform: NodeJS.Platform;
}

/** Every warning for the config, jobs in file order, then restic. */
export async function runPreflight(config: ResolvedConfig, io: PreflightIO): Promise<PreflightWarning[]> {
  const perJob = await Promise.all(config.jobs.map((job, index) => checkJob(job, index, io)));
  return [...perJob.flat(), ...(await checkRestic(config, io))];
}

async function checkJob(job: BackupJob, index: number, io: PreflightIO): Promise<PreflightWarning[]> {
  const at = (key: string) => ({ job: job.name, path: `backupjobs[${index}].${key}` });
  const found = await Promise.all([
    checkPassword(job.password, at, io),
    ...job.sources.map((source) => checkSource(source, at, io)),
    checkDestination(job.repository, at, io),
    // A copy target's password and drive are checked like the job's: a copy fails on them just the same.
    ...job.copyTo.flatMap((target, t) => {
      const atTarget = (key: string) => ({
        job: job.name,
        path: `backupjobs[${index}].copy_to[${t}].${key}`,
      });
      return [
        checkPassword(target.password, atTarget, io),
        checkDestination(target.repository, atTarget, io),
      ];
    }),
  ]);
  return found.flat();
}

type Place = (key: string) => { job: string; path: string };

async function checkPassword(
  source: PasswordSource,
  at: Place,
  io: PreflightIO,
): Promise<PreflightWarning[]> {
  switch (source.kind) {
    case "literal":
      return [];
    case "file":
      return checkPasswordFile(source.path, at("password_file"), io);
    case "env": {
      const value = io.env[source.variable];
      if (value) return [];
      return [
        {
          code: "PASSWORD_ENV_UNSET",
          ...at("password_env"),
          message: `the environment variable ${source.variable} is ${value === undefined ? "not set" : "empty"} here`,
          fix: `set ${source.variable} where simplebackup runs (in the shell, and in the service's environment for the daemon), or use password_file`,
        },
      ];
    }
    case "command": {
      const program = firstWord(source.command);
      if (program === undefined || (await io.which(program)) !== undefined) return [];
      const where = /[\\/]/.test(program) ? `at ${program}` : "on PATH";
      return [
        {
          code: "PASSWORD_COMMAND_NOT_FOUND",
          ...at("password_command"),
          message: `password_command runs ${program}, which was not found ${where}`,
          fix: `install ${path.basename(program)}, or write the program's full path at the start of password_command`,
        },
      ];
    }
  }
}

async function checkPasswordFile(
  file: string,
  place: { job: string; path: string },
  io: PreflightIO,
): Promise<PreflightWarning[]> {
  const facts = await io.stat(file);
  if (facts === undefined) {
    return [
      {
        code: "PASSWORD_FILE_MISSING",
        ...place,
        message: `the password file ${file} does not exist`,
        fix:
          io.platform === "win32"
            ? `create it holding the repository's password (for a new repository, a long random one), and keep a copy elsewhere`
            : `create it holding the repository's password; for a new repository, a random one: mkdir -p ${shellQuote(path.dirname(file))} && (umask 077; openssl rand -base64 24 > ${shellQuote(file)}). Keep a copy elsewhere`,
      },
    ];
  }
  if (facts.type !== "file") {
    return [
      {
        code: "PASSWORD_FILE_NOT_A_FILE",
        ...place,
        message: `the password file ${file} is a ${facts.type === "directory" ? "folder" : "special file"}, not a file`,
        fix: "point password_file at the file that holds the repository's password",
      },
    ];
  }
  if (!facts.readable) {
    return [
      {
        code: "PASSWORD_FILE_UNREADABLE",
        ...place,
        message: `the password file ${file} exists but this user cannot read it`,
        fix:
          io.platform === "win32"
            ? "give this user read access to it, or run simplebackup as the user who can read it"
            : `make it yours (sudo chown "$(id -un)" ${shellQuote(file)} && chmod 600 ${shellQuote(file)}), or run simplebackup as its owner`,
      },
    ];
  }
  const warnings: PreflightWarning[] = [];
  if (facts.size === 0) {
    warnings.push({
      code: "PASSWORD_FILE_EMPTY",
      ...place,
      message: `the password file ${file} is empty; restic refuses an empty password`,
      fix: "write the repository's password into it",
    });
  }
  // Windows reports no POSIX permission bits worth reading; its ACLs are out of reach here.
  if (io.platform !== "win32" && (facts.mode & 0o077) !== 0) {
    warnings.push({
      code: "PASSWORD_FILE_EXPOSED",
      ...place,
      message: `the password file ${file} is open to other users (mode ${(facts.mode & 0o777).toString(8).padStart(4, "0")}); only you should be able to read it`,
      fix: `chmod 600 ${shellQuote(file)}`,
    });
  }
  return warnings;
}

async function checkSource(source: string, at: Place, io: PreflightIO): Promise<PreflightWarning[]> {
  if ((await io.stat(source)) !== undefined) return [];
  return [
    {
      code: "SOURCE_MISSING",
      // Sources are listed after duplicates are dropped, so an index could point at the wrong line.
      ...at("sources"),
      message: `the source ${source} does not exist; a run cannot back it up`,
      fix: "correct the path in sources, or mount the drive it is on",
    },
  ];
}

async function checkDestination(repository: string, at: Place, io: PreflightIO): Promise<PreflightWarning[]> {
  const local = localRepositoryPath(repository);
  // Remote backends cannot be checked without credentials and a network round trip; a run will tell.
  if (local === undefined) return [];
  const facts = await io.stat(local);
  if (facts !== undefined) {
    if (facts.type === "directory") return [];
    return [
      {
        code: "DESTINATION_NOT_A_FOLDER",
        ...at("destination"),
        message: `the destination ${local} is a file, not a folder`,
        fix: "point destination at a folder (an existing restic repository, or a new folder for one)",
      },
    ];
  }
  const parent = path.dirname(local);
  if ((await io.stat(parent))?.type === "directory") return [];
  return [
    {
      code: "DESTINATION_PARENT_MISSING",
      ...at("destination"),
      message: `the destination ${local} does not exist and neither does its folder ${parent}; a backup will not create a repository there (an unmounted drive looks just like this)`,
      fix: `mount the drive it is on, or create the folder: mkdir -p ${shellQuote(parent)}`,
    },
  ];
}

async function checkRestic(config: ResolvedConfig, io: PreflightIO): Promise<PreflightWarning[]> {
  const binary = await io.findRestic(config.resticBinary);
  if (binary !== undefined) return checkResticVersion(config, binary, io);
  const wanted = config.resticBinary ?? io.env.RESTIC_BINARY;
  return [
    {
      code: "RESTIC_NOT_FOUND",
      path: config.resticBinary === undefined ? "" : "restic_binary",
      message:
        wanted === undefined
          ? "restic was not found on PATH"
          : `restic was not found at ${wanted}${config.resticBinary === undefined ? " (from RESTIC_BINARY)" : ""}`,
      fix: "install restic (Debian/Ubuntu: sudo apt-get install restic; Fedora: sudo dnf install restic; macOS: brew install restic; Windows: winget install restic.restic), or set restic_binary to its path",
    },
  ];
}

/**
 * Keys that need a newer restic than the one configured, each at its place: the top-level default
 * once (naming the jobs it turns on), a job's own key where the top level does not set it.
 */
async function checkResticVersion(
  config: ResolvedConfig,
  binary: string,
  io: PreflightIO,
): Promise<PreflightWarning[]> {
  const needing = config.jobs.flatMap((job, index) =>
    resticRequirements(job).map((requirement) => ({ job, index, requirement })),
  );
  if (needing.length === 0) return [];
  const version = await io.resticVersion(binary);
  const unmet = needing.filter(({ requirement }) => unmetRequirements([requirement], version).length > 0);
  const findings: PreflightWarning[] = [];
  const reported = new Set<string>();
  for (const { job, index, requirement } of unmet) {
    const fromTopLevel = requirement.key === "skip_if_unchanged" && config.skipIfUnchanged;
    if (fromTopLevel && reported.has(requirement.key)) continue;
    reported.add(fromTopLevel ? requirement.key : `${index}.${requirement.key}`);
    const jobs = unmet
      .filter((other) => other.requirement.key === requirement.key)
      .map((other) => other.job.name);
    findings.push({
      code: "RESTIC_TOO_OLD",
      ...(fromTopLevel
        ? { path: requirement.key }
        : { job: job.name, path: `backupjobs[${index}].${requirement.key}` }),
      message: fromTopLevel
        ? `${describeUnmet(requirement, binary, version)}; the top-level ${requirement.key} sets it for ${jobs.length === 1 ? "the job" : "the jobs"} ${jobs.map((name) => JSON.stringify(name)).join(", ")}`
        : describeUnmet(requirement, binary, version),
      fix: fixForUnmet(requirement),
      blocking: true,
    });
  }
  return findings;
}

/**
 * The program a password_command runs. restic splits the command like a shell would (quotes and
 * backslashes) and runs it without one, so the first word is the program.
 */
export function firstWord(command: string): string | undefined {
  const match = /^\s*(?:"([^"]*)"|'([^']*)'|((?:\\.|[^\s"'\\])+))/.exec(command);
  if (match === null) return undefined;
  const word = match[1] ?? match[2] ?? (match[3] ?? "").replace(/\\(.)/g, "$1");
  return word === "" ? undefined : word;
}

/** A path as it can be pasted into a POSIX shell. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
