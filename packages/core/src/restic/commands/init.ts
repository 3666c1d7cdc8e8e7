// `restic init`: creating the repository when a job's first backup finds none. What it prints is not
// read: its exit code says whether it worked, and classify.ts reads its stderr when it did not.

/** `restic init`; 0.14 ignores `--json` here, so the output is text either way. */
export function buildInitArgs(): string[] {
  return ["init"];
}
