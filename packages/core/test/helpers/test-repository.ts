import { join } from "node:path";
import type { BackupJob } from "../../src/config/types.js";
import { createRestic } from "../../src/restic/restic.js";
import { makeJob } from "./job.js";
import { RESTIC } from "./restic.js";
import { createTempDir } from "./tree.js";

/**
 * The repository a test file shares (restic's key derivation is most of each call's time): a temp
 * folder holding `src/`, the source to back up, and `repo/`; restic; and jobs that back up `src/` into
 * `repo/` with the file's password. The file creates `src/` and the repository in its `beforeAll`.
 */
export function createTestRepository(name: string, password: string) {
  const temp = createTempDir(`sb-${name}-`);
  const source = join(temp.path, "src");
  const repository = join(temp.path, "repo");
  /** A job of that source and repository; one per name, so its snapshots are its own. */
  const job = (jobName: string, overrides: Partial<BackupJob> = {}): BackupJob =>
    makeJob({
      name: jobName,
      sources: [source],
      repository,
      password: { kind: "literal", value: password },
      ...overrides,
    });
  return { temp, root: temp.path, source, repository, restic: createRestic(RESTIC), job };
}
