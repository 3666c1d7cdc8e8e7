/**
 * The local folder of a repository, or undefined for a backend URL. Paths are absolute after loading;
 * restic's `local:` prefix is dropped; a drive letter (C:) is a local path, any other `scheme:` a backend.
 * Both the backup (which will not create a repository under a missing folder) and validate's preflight
 * (which warns about that folder) ask this, so they agree on what is local.
 */
export function localRepositoryPath(repository: string): string | undefined {
  if (repository.startsWith("local:")) return repository.slice("local:".length);
  if (/^[a-z][a-z0-9]+:/i.test(repository)) return undefined;
  return repository;
}

const BACKEND = /^(?:sftp|rest|s3|b2|azure|gs|swift|rclone):/;

/** Backend URLs stay as written; local folders, with or without restic's `local:` prefix, become absolute. */
export function resolveRepository(destination: string, resolve: (p: string) => string): string {
  if (BACKEND.test(destination)) return destination;
  if (destination.startsWith("local:")) return `local:${resolve(destination.slice("local:".length))}`;
  return resolve(destination);
}
