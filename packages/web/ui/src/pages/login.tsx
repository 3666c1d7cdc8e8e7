import { useState } from "preact/hooks";
import { postJson } from "../api";
import { ErrorNote } from "../components/error-note";

/**
 * Shown when the API answers 401. The usual way in is the one-time link `simplebackup ui` prints;
 * a dashboard with named users (`ui.users`) also takes a name and password here.
 */
export function LoginPage({ onLoggedIn }: { readonly onLoggedIn: () => void }) {
  const [error, setError] = useState<Error | undefined>(undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    postJson("/api/login", { user: form.get("user"), password: form.get("password") }).then(
      onLoggedIn,
      setError,
    );
  };
  return (
    <section class="login">
      <h1>Log in</h1>
      <p>
        Run <code>simplebackup ui</code> on the machine of the daemon and open the link it prints. It works
        once, for five minutes.
      </p>
      <h2>Or, as a named user</h2>
      <form onSubmit={submit}>
        <label>
          Name <input name="user" autoComplete="username" required />
        </label>
        <label>
          Password <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit">Log in</button>
      </form>
      {error ? <ErrorNote error={error} what="a session" /> : null}
    </section>
  );
}
