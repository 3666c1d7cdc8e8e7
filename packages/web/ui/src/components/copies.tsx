import { relativeTime } from "../format";
import type { JobView } from "../types";

/** Each copy target's lag in words: up to date, or how many snapshots behind since when. */
export function CopyLag({ copies, now }: { readonly copies: JobView["copies"]; readonly now: number }) {
  if (copies.length === 0) return <span class="muted">no copies</span>;
  return (
    <ul class="plain">
      {copies.map((copy) => (
        <li key={copy.target}>
          {copy.target}:{" "}
          {copy.running
            ? "copying…"
            : copy.behindSnapshots === 0
              ? "up to date"
              : `${copy.behindSnapshots} behind${copy.behindSince ? ` since ${relativeTime(copy.behindSince, now)}` : ""}`}
          {copy.lastFailure ? (
            <span class="result result-failed"> (✗ last try failed: {copy.lastFailure.code})</span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
