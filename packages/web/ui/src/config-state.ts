import { getJson } from "./api";
import { type Resource, useLiveEvents, useResource } from "./hooks";

/** The config file's problems a reload found; the daemon runs the config it last read meanwhile. */
export interface ConfigProblems {
  readonly file: string | null;
  readonly at: string;
  /** `path: message`, as `simplebackup validate` prints them. */
  readonly problems: readonly string[];
}

export interface ConfigBody {
  readonly config: { readonly jobs?: readonly Record<string, unknown>[]; readonly [key: string]: unknown };
  readonly problems: ConfigProblems | null;
}

/** GET /api/config, asked again whenever the daemon reloads its config or refuses a reload. */
export function useConfig(): Resource<ConfigBody> {
  const resource = useResource(() => getJson<ConfigBody>("/api/config"), "config");
  useLiveEvents((event) => {
    if (event.type === "config-invalid" || event.type === "config-reloaded") resource.reload();
  });
  return resource;
}
