import { ConfigProblemsNote } from "../components/config-problems";
import { ErrorNote } from "../components/error-note";
import type { ConfigBody } from "../config-state";
import type { Resource } from "../hooks";

/**
 * The resolved config, read-only, as the server masked it (passwords by source, env values as ***),
 * and the problems of the file on disk when a reload refused it.
 */
export function ConfigPage({ config }: { readonly config: Resource<ConfigBody> }) {
  if (config.error) return <ErrorNote error={config.error} what="the config" />;
  if (!config.data) return <p aria-busy="true">Loading the config…</p>;
  const { jobs = [], ...settings } = config.data.config;
  return (
    <section>
      <h1>Config</h1>
      {config.data.problems ? <ConfigProblemsNote problems={config.data.problems} /> : null}
      <p class="muted">
        Read-only, as the daemon resolved it. Secrets are masked (***); passwords show where they come from.
      </p>
      <h2>Settings</h2>
      <pre class="config">{JSON.stringify(settings, null, 2)}</pre>
      {jobs.map((job) => (
        <section key={String(job.name)}>
          <h2>Job {String(job.name)}</h2>
          <pre class="config">{JSON.stringify(job, null, 2)}</pre>
        </section>
      ))}
    </section>
  );
}
