/** The CLI's exit codes (docs/cli.md). Its own module: run-cli.ts needs them without loading core. */
export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;
