// `restic init`: creating the repository when a job's first backup finds none, or a copy target
// (`copy_to`) its first copy finds none. What it prints is not read: its exit code says whether it
// worked, and classify.ts reads its stderr when it did not.

/**
 * `restic init`; 0.14 ignores `--json` here, so the output is text either way. With
 * `copyChunkerParams`, the new repository takes the chunker parameters of the repository that
 * RESTIC_FROM_REPOSITORY names (restic copy's source), so the same files cut into the same blobs in
 * both and deduplicate across them (measured on 0.14.0 and 0.18.0: `cat config` of both then shows the
 * same `chunker_polynomial`). restic opens that repository first, so a wrong source password creates
 * nothing.
 */
export function buildInitArgs(options: { readonly copyChunkerParams?: boolean } = {}): string[] {
  return options.copyChunkerParams ? ["init", "--copy-chunker-params"] : ["init"];
}
