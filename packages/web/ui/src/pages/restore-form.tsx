import { useState } from "preact/hooks";
import { ApiError, postJson } from "../api";
import { ConfirmButton } from "../components/confirm-button";
import { formatBytes, formatHumanDuration } from "../format";
import { snapshotApi } from "../snapshot-paths";
import type { RestoreResult } from "../types";

type Outcome =
  | { readonly kind: "running" }
  | {
      readonly kind: "done";
      readonly result: RestoreResult;
      /** Set when it was done in part (DESTINATION_FULL, RESTORE_INCOMPLETE): what the server said. */
      readonly shortfall?: ApiError;
    }
  | { readonly kind: "failed"; readonly error: Error };

/**
 * Restores the chosen paths into a folder on the daemon's machine, with the CLI's rules, which the
 * server applies: the target is new or empty unless overwrite is ticked, and never `/`. A refusal is
 * shown with its code (TARGET_NOT_EMPTY, …), since the person can act on it.
 */
export function RestoreForm(props: {
  readonly job: string;
  readonly id: string;
  readonly chosen: readonly string[];
  readonly onRemove: (path: string) => void;
}) {
  const [target, setTarget] = useState("");
  const [overwrite, setOverwrite] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const count = props.chosen.length;
  const restore = () => {
    setOutcome({ kind: "running" });
    postJson<{ restore: RestoreResult }>(snapshotApi(props.job, props.id, "restore"), {
      paths: props.chosen,
      target: target.trim(),
      overwrite,
    }).then(
      (body) => setOutcome({ kind: "done", result: body.restore }),
      (error: Error) => {
        const partial = error instanceof ApiError ? (error.body as { restore?: RestoreResult }) : undefined;
        setOutcome(
          partial?.restore
            ? { kind: "done", result: partial.restore, shortfall: error as ApiError }
            : { kind: "failed", error },
        );
      },
    );
  };
  return (
    <form class="restore" onSubmit={(event) => event.preventDefault()}>
      <h2>Restore</h2>
      {count === 0 ? (
        <p>Choose files or folders above with their boxes; choices stay while you open other folders.</p>
      ) : (
        <ul class="plain chosen" aria-label="chosen paths">
          {props.chosen.map((path) => (
            <li key={path}>
              <code>{path}</code>{" "}
              <button type="button" onClick={() => props.onRemove(path)} aria-label={`remove ${path}`}>
                remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <label>
        Target folder on this machine (new or empty; each path is restored below it at its full path)
        <input
          type="text"
          name="target"
          placeholder="/tmp/restored"
          value={target}
          onInput={(event) => setTarget(event.currentTarget.value)}
        />
      </label>
      <label class="inline">
        <input
          type="checkbox"
          name="overwrite"
          checked={overwrite}
          onChange={(event) => setOverwrite(event.currentTarget.checked)}
        />{" "}
        Overwrite files in a folder that is not empty
      </label>
      <div class="actions">
        <ConfirmButton
          label="Restore…"
          question={
            <>
              Restore {count === 1 ? "1 path" : `${count} paths`} into <code>{target.trim()}</code>
              {overwrite ? ", overwriting files there" : ""}?
            </>
          }
          confirmLabel="Yes, restore"
          disabled={count === 0 || target.trim() === "" || outcome?.kind === "running"}
          onConfirm={restore}
        />
      </div>
      <RestoreOutcome outcome={outcome} />
    </form>
  );
}

function RestoreOutcome({ outcome }: { readonly outcome: Outcome | undefined }) {
  if (!outcome) return null;
  if (outcome.kind === "running") {
    return (
      <p role="status" aria-busy="true">
        Restoring…
      </p>
    );
  }
  if (outcome.kind === "failed") {
    const code = outcome.error instanceof ApiError ? ` (${outcome.error.code})` : "";
    return (
      <p class="error" role="alert">
        ✗ Not restored: {outcome.error.message}
        {code}
        {/* The server's message names the CLI's flag; on this page the flag is the box. */}
        {outcome.error instanceof ApiError && outcome.error.code === "TARGET_NOT_EMPTY"
          ? ". Here: tick “Overwrite files in a folder that is not empty”, or choose another folder."
          : null}
      </p>
    );
  }
  const { result, shortfall } = outcome;
  return (
    <div role={shortfall ? "alert" : "status"} class="restore-result">
      {shortfall ? (
        <p class="error">
          ✗ Restored in part: {shortfall.message} ({shortfall.code})
        </p>
      ) : null}
      <p>
        {result.ok ? "✓ Restored" : "⚠ Restored with errors:"} {result.files}{" "}
        {result.files === 1 ? "file" : "files"} ({formatBytes(result.bytes)}) into{" "}
        <code>{result.target}</code> in {formatHumanDuration(result.durationMs)}.
      </p>
      {result.errors.length > 0 ? (
        <ul>
          {result.errors.map((error) => (
            <li key={error.path}>
              <code>{error.path}</code>: {error.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
