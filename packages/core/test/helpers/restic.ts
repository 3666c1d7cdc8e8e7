import { execFileSync, spawnSync } from "node:child_process";

export const RESTIC = process.env.RESTIC_BINARY ?? "restic";

/** Runs the real restic directly, to check what our code did to a repository. */
export function resticJson<T>(repository: string, password: string, args: string[]): T {
  const stdout = execFileSync(RESTIC, [...args, "--json"], {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password },
    encoding: "utf8",
  });
  return JSON.parse(stdout.split("\n")[0] ?? "null") as T;
}

export function resticRun(repository: string, password: string, args: string[]) {
  return spawnSync(RESTIC, args, {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password },
    encoding: "utf8",
  });
}

export interface SnapshotJson {
  id: string;
  short_id: string;
  time: string;
  paths: string[];
  tags?: string[];
}

/** Paths listed by `restic ls latest` for the snapshot, as one array. */
export function listFiles(repository: string, password: string, snapshot = "latest"): string[] {
  const result = resticRun(repository, password, ["ls", snapshot]);
  if (result.status !== 0) throw new Error(`restic ls failed: ${result.stderr}`);
  return result.stdout
    .split("\n")
    .filter((line) => line.startsWith("/"))
    .map((line) => line.trim());
}
