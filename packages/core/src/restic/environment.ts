import type { BackupJob, PasswordSource } from "../config/types.js";
import { SimplebackupError } from "../errors.js";

/** restic reads these itself; whichever of them we do not set must not leak in from our own environment. */
const PASSWORD_VARIABLES = ["RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND"] as const;

/**
 * The environment one restic process gets for a job. The password and the repository travel here and
 * never on argv, where any user of the machine could read them.
 */
export function buildResticEnvironment(
  job: Pick<BackupJob, "name" | "repository" | "password" | "env">,
  processEnv: NodeJS.ProcessEnv,
  progressFps: number,
): Record<string, string | undefined> {
  const cleared = Object.fromEntries(
    [...PASSWORD_VARIABLES, "RESTIC_REPOSITORY_FILE"].map((key) => [key, undefined]),
  );
  return {
    ...cleared,
    ...job.env,
    RESTIC_REPOSITORY: job.repository,
    RESTIC_PROGRESS_FPS: String(progressFps),
    ...passwordVariables(job.name, job.password, processEnv),
  };
}

function passwordVariables(
  jobName: string,
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
          `job "${jobName}": password_env names ${source.variable}, but that environment variable is not set`,
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
