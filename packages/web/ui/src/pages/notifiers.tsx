import { getJson } from "../api";
import { ErrorNote } from "../components/error-note";
import { useResource } from "../hooks";
import type { NotifierView } from "../types";

/** The notifiers in use: what each hears about, for which jobs, with its options masked. */
export function NotifiersPage() {
  const notifiers = useResource(() => getJson<{ notifiers: NotifierView[] }>("/api/notifiers"), "notifiers");
  if (notifiers.error) return <ErrorNote error={notifiers.error} what="the notifiers" />;
  if (!notifiers.data) return <p aria-busy="true">Loading the notifiers…</p>;
  const list = notifiers.data.notifiers;
  return (
    <section>
      <h1>Notifiers</h1>
      {list.length === 0 ? (
        <p>No notifiers configured: failures are only in the daemon's log and on this page.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Events</th>
              <th scope="col">Jobs</th>
              <th scope="col">Options</th>
            </tr>
          </thead>
          <tbody>
            {list.map((notifier, index) => (
              // Two jobs may each have a notifier of the same name.
              <tr key={`${notifier.name}-${index}`}>
                <th scope="row">{notifier.name}</th>
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
      <p class="muted">Deliveries and their errors are not recorded yet; the daemon's log has them.</p>
    </section>
  );
}
