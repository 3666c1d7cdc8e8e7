import { useEffect } from "preact/hooks";
import { getJson } from "../api";
import { ErrorNote } from "../components/error-note";
import { formatLocalTime, relativeTime } from "../format";
import { useNow, useResource } from "../hooks";
import type { NotifierView } from "../types";

/**
 * The notifiers in use: what each hears about, for which jobs, whether its events reach the person
 * (its last delivery and last error), with its options masked.
 */
export function NotifiersPage() {
  const notifiers = useResource(() => getJson<{ notifiers: NotifierView[] }>("/api/notifiers"), "notifiers");
  const now = useNow();
  // Asked again while open rather than on each live event: a delivery ends after the event (a failed
  // one after the hub's retry, seconds later), so the answer to an event would still be the old one.
  const { reload } = notifiers;
  useEffect(() => {
    const timer = setInterval(reload, 15_000);
    return () => clearInterval(timer);
  }, [reload]);
  if (notifiers.error) return <ErrorNote error={notifiers.error} what="the notifiers" />;
  if (!notifiers.data) return <p aria-busy="true">Loading the notifiers…</p>;
  const list = notifiers.data.notifiers;
  return (
    <section>
      <h1>Notifiers</h1>
      {list.length === 0 ? (
        <p>No notifiers configured: failures are only in the daemon's log and on this page.</p>
      ) : (
        <table class="notifiers">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Delivering</th>
              <th scope="col">Last delivered</th>
              <th scope="col">Last error</th>
              <th scope="col">Type</th>
              <th scope="col">Events</th>
              <th scope="col">Jobs</th>
              <th scope="col">Options</th>
            </tr>
          </thead>
          <tbody>
            {list.map((notifier, index) => (
              // Two jobs may each have a notifier of the same name.
              <tr key={`${notifier.name}-${index}`} data-notifier={notifier.name}>
                <th scope="row">{notifier.name}</th>
                <td>
                  <DeliveryState notifier={notifier} />
                </td>
                <td class="last-delivery">
                  <Outcome outcome={notifier.lastDelivery} none="never" now={now} />
                </td>
                <td class="last-error">
                  <Outcome outcome={notifier.lastError} none="none" now={now} />
                </td>
                <td>{notifier.type ?? "–"}</td>
                <td>{notifier.on?.join(", ") ?? "failures (default)"}</td>
                <td>{notifier.jobs?.join(", ") ?? "every job"}</td>
                <td>
                  <code>{notifier.options ? JSON.stringify(notifier.options) : "–"}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">
        The last delivery and the last error are kept in the state folder, so a restart does not hide a
        notifier that has been failing; the counts are since the daemon started. A delivery is an error once
        it failed twice (the hub tries once more); the daemon's log has each attempt.
      </p>
    </section>
  );
}

/**
 * In words (and a sign), not only colour: failing when its latest outcome is an error, so a server
 * down since yesterday reads "✗ failing" beside "last delivered 1 d ago".
 */
function DeliveryState(props: { readonly notifier: NotifierView }) {
  const { lastDelivery, lastError, delivered, failed } = props.notifier;
  const failing =
    lastError !== null && (lastDelivery === null || Date.parse(lastError.at) >= Date.parse(lastDelivery.at));
  const counts =
    delivered === null || failed === null ? null : `${delivered} delivered, ${failed} failed since start`;
  return (
    <>
      {failing ? (
        <span class="result result-failed">✗ failing</span>
      ) : lastDelivery ? (
        <span class="result result-success">✓ delivering</span>
      ) : (
        <span class="muted">nothing sent yet</span>
      )}
      {counts ? <div class="muted">{counts}</div> : null}
    </>
  );
}

/** "3h ago: connection refused", the absolute time in its title, then which event of which job. */
function Outcome(props: {
  readonly outcome: {
    readonly at: string;
    readonly event: string;
    readonly job: string;
    readonly error?: string;
  } | null;
  readonly none: string;
  readonly now: number;
}) {
  const { outcome, none, now } = props;
  if (!outcome) return <span class="muted">{none}</span>;
  return (
    <>
      <span title={formatLocalTime(outcome.at)}>{relativeTime(outcome.at, now)}</span>
      {outcome.error ? `: ${outcome.error}` : null}
      <div class="muted">{outcome.job === "*" ? outcome.event : `${outcome.event} of ${outcome.job}`}</div>
    </>
  );
}
