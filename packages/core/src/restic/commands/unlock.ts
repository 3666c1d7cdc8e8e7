// `restic unlock`, and what it takes to say which locks remain afterwards: `list locks` (their ids)
// and `cat lock` (one lock's holder).

/** `restic unlock` removes only stale locks; `--remove-all` would also break a live process's lock. */
export function buildUnlockArgs(): string[] {
  return ["unlock"];
}
