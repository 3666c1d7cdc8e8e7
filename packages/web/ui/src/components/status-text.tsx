import type { JobView } from "../types";

/*
 * States and results as words with a symbol, never colour alone: the colour (from the class) only
 * repeats what the text says, for a reader who sees it.
 */

const STATE_TEXT: Record<JobView["state"], string> = {
  running: "▶ running",
  queued: "… queued",
  retrying: "↻ retry pending",
  owed: "◷ owed a run",
  idle: "idle",
};

export function JobStateText({ state }: { readonly state: JobView["state"] }) {
  return <span class={`state state-${state}`}>{STATE_TEXT[state]}</span>;
}

const RESULT_TEXT: Record<string, string> = {
  success: "✓ success",
  partial: "! partial",
  failed: "✗ failed",
  interrupted: "■ interrupted",
  skipped: "– skipped",
};

export function ResultText({ status }: { readonly status: string }) {
  return <span class={`result result-${status}`}>{RESULT_TEXT[status] ?? status}</span>;
}
