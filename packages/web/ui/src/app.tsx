import { ApiError, getJson } from "./api";
import { ConfigProblemsNote } from "./components/config-problems";
import { ErrorNote } from "./components/error-note";
import { type ConfigBody, useConfig } from "./config-state";
import { type Resource, useLiveState, useResource } from "./hooks";
import { ConfigPage } from "./pages/config";
import { JobPage } from "./pages/job";
import { LoginPage } from "./pages/login";
import { NotifiersPage } from "./pages/notifiers";
import { OverviewPage } from "./pages/overview";
import { RunLogPage } from "./pages/run-log";
import { SnapshotBrowserPage } from "./pages/snapshot-browser";
import { href, type Route, useRoute } from "./router";
import { type JobsState, useJobs } from "./use-jobs";

/** The shell: asks for the session first, then shows the navigation and the page the address names. */
export function App() {
  const session = useResource(() => getJson<{ user: string | null }>("/api/session"), "session");
  if (session.error instanceof ApiError && session.error.status === 401) {
    return <LoginPage onLoggedIn={() => location.reload()} />;
  }
  if (session.error) return <ErrorNote error={session.error} what="the session" />;
  if (!session.data) return <p aria-busy="true">Loading…</p>;
  return <LoggedIn user={session.data.user} />;
}

function LoggedIn({ user }: { readonly user: string | null }) {
  const route = useRoute();
  // One list of jobs for the pages that show jobs, kept live while the app is open.
  const jobs = useJobs();
  const live = useLiveState();
  // The config and its problems, for the banner on every page and the config page.
  const config = useConfig();
  const problems = config.data?.problems;
  return (
    <>
      <header>
        <nav aria-label="pages">
          <a
            href={href.overview()}
            class="brand"
            aria-current={route.page === "overview" ? "page" : undefined}
          >
            simplebackup
          </a>
          <a href={href.config()} aria-current={route.page === "config" ? "page" : undefined}>
            Config
          </a>
          <a href={href.notifiers()} aria-current={route.page === "notifiers" ? "page" : undefined}>
            Notifiers
          </a>
        </nav>
        <span class={`live live-${live}`} role="status">
          {live === "live" ? "● live" : live === "connecting" ? "○ connecting…" : "○ reconnecting…"}
        </span>
        {user ? <span class="muted">{user}</span> : null}
      </header>
      <main>
        {problems && route.page !== "config" ? <ConfigProblemsNote problems={problems} brief /> : null}
        <Page route={route} jobs={jobs} config={config} />
      </main>
    </>
  );
}

function Page({
  route,
  jobs,
  config,
}: {
  readonly route: Route;
  readonly jobs: JobsState;
  readonly config: Resource<ConfigBody>;
}) {
  switch (route.page) {
    case "overview":
      return <OverviewPage jobs={jobs} />;
    case "job":
      return <JobPage name={route.job} jobs={jobs} />;
    case "log":
      return <RunLogPage job={route.job} runId={route.runId} />;
    case "snapshot":
      return <SnapshotBrowserPage job={route.job} id={route.id} path={route.path} />;
    case "config":
      return <ConfigPage config={config} />;
    case "notifiers":
      return <NotifiersPage />;
    default:
      return (
        <p role="alert">
          No page at {route.hash}. <a href={href.overview()}>Back to the backups</a>
        </p>
      );
  }
}
