import type { BackupJob, CopyTarget, PasswordSource } from "../config/types.js";
import { SimplebackupError } from "../errors.js";

/** What restic needs to open one repository: where it is, its password, its backend's environment. */
type RepositoryAccess = Pick<BackupJob, "repository" | "password" | "env">;

/** restic reads these itself; whichever of them we do not set must not leak in from our own environment. */
const PASSWORD_VARIABLES = ["RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND"] as const;

/**
 * restic copy's (and `init --copy-chunker-params`'s) second repository, the one copied FROM. Measured on
 * 0.14.0 and 0.18.0: RESTIC_FROM_REPOSITORY, RESTIC_FROM_PASSWORD, RESTIC_FROM_PASSWORD_FILE and
 * RESTIC_FROM_PASSWORD_COMMAND all work (0.14's help lists every one but RESTIC_FROM_PASSWORD).
 */
const FROM_VARIABLES = [
  "RESTIC_FROM_REPOSITORY",
  "RESTIC_FROM_REPOSITORY_FILE",
  "RESTIC_FROM_PASSWORD",
  "RESTIC_FROM_PASSWORD_FILE",
  "RESTIC_FROM_PASSWORD_COMMAND",
  "RESTIC_FROM_KEY_HINT",
] as const;

const cleared = (keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, undefined]));

/**
 * The environment one restic process gets for a job. The password and the repository travel here and
 * never on argv, where any user of the machine could read them.
 */
export function buildResticEnvironment(
  job: Pick<BackupJob, "name"> & RepositoryAccess,
  processEnv: NodeJS.ProcessEnv,
  progressFps: number,
): Record<string, string | undefined> {
  return repositoryEnvironment(job, `job "${job.name}"`, processEnv, progressFps);
}

/**
 * The environment of a restic process that opens only a copy target of the job (`copy_to`): the
 * target's repository, password and `env`; the job's `env` is not added, so what the target needs is
 * said in its own entry.
 */
export function buildCopyTargetEnvironment(
  job: Pick<BackupJob, "name">,
  target: CopyTarget,
  processEnv: NodeJS.ProcessEnv,
  progressFps: number,
): Record<string, string | undefined> {
  return repositoryEnvironment(target, targetLabel(job, target), processEnv, progressFps);
}

/**
 * The environment of `restic copy` and `restic init --copy-chunker-params` from the job's repository
 * to one of its targets. restic's own repository (RESTIC_REPOSITORY) is the DESTINATION, the target;
 * the job's repository is the source, through RESTIC_FROM_*: its location there rather than in
 * `--from-repo`, since a backend URL may hold credentials. One process reads both, so both `env`s go
 * in; a variable they set differently cannot serve both repositories.
 * @throws SimplebackupError PASSWORD_UNAVAILABLE when a `password_env` names an unset variable.
 * @throws SimplebackupError CONFIG_INVALID when the job's and the target's `env` differ on a variable.
 */
export function buildCopyEnvironment(
  job: Pick<BackupJob, "name"> & RepositoryAccess,
  target: CopyTarget,
  processEnv: NodeJS.ProcessEnv,
  progressFps: number,
): Record<string, string | undefined> {
  const conflict = Object.keys(target.env).find(
    (name) => job.env[name] !== undefined && job.env[name] !== target.env[name],
  );
  if (conflict !== undefined) {
    throw new SimplebackupError(
      "CONFIG_INVALID",
      `${targetLabel(job, target)}: its env.${conflict} differs from the job's; restic copy reads both repositories in one process, which sees one value per variable. Use the same credentials for both, or put the target on another backend (a REST server, sftp).`,
    );
  }
  const source = passwordVariables(`job "${job.name}"`, job.password, processEnv);
  return {
    ...cleared(FROM_VARIABLES),
    ...job.env,
    ...repositoryEnvironment(target, targetLabel(job, target), processEnv, progressFps),
    RESTIC_FROM_REPOSITORY: job.repository,
    ...Object.fromEntries(
      Object.entries(source).map(([key, value]) => [key.replace(/^RESTIC_/, "RESTIC_FROM_"), value]),
    ),
  };
}

function repositoryEnvironment(
  access: RepositoryAccess,
  label: string,
  processEnv: NodeJS.ProcessEnv,
  progressFps: number,
): Record<string, string | undefined> {
  return {
    ...cleared([...PASSWORD_VARIABLES, "RESTIC_REPOSITORY_FILE"]),
    ...access.env,
    RESTIC_REPOSITORY: access.repository,
    RESTIC_PROGRESS_FPS: String(progressFps),
    ...passwordVariables(label, access.password, processEnv),
  };
}

function targetLabel(job: Pick<BackupJob, "name">, target: Pick<CopyTarget, "name">): string {
  return `copy target "${target.name}" of job "${job.name}"`;
}

function passwordVariables(
  label: string,
  source: PasswordSource,
  processEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  switch (source.kind) {
    case "literal":
      return { RESTIC_PASSWORD: source.value };
    case "file":
      return { RESTIC_PASSWORD_FILE: source.path };
    case "command":
      return { RESTIC_PASSWORD_COMMAND: source.command };
    case "env": {
      const value = processEnv[source.variable];
      if (!value) {
        throw new SimplebackupError(
          "PASSWORD_UNAVAILABLE",
          `${label}: password_env names ${source.variable}, but that environment variable is not set`,
        );
      }
      return { RESTIC_PASSWORD: value };
    }
  }
}

/**
 * Masks `user:secret@` in backend URLs such as `rest:https://user:secret@host/repo`, every one in the
 * text: an error line of restic may name several URLs.
 */
export function maskRepository(repository: string): string {
  return repository.replace(/\/\/([^/@:]*):[^/@]*@/g, "//$1:***@");
}
