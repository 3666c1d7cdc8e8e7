import { DEFAULT_NOTIFY_ON } from "../events.js";
import type { Notifier, NotifierDescription } from "../notifier.js";

export const REDACTED = "***";

/** Option names whose values are secrets wherever they appear (`token`, `Authorization`, `api_key`, …). */
const SECRET_KEY = /token|passw|secret|authori[sz]ation|api[-_]?key|cookie|credential|signature|private/i;
/**
 * Option names whose every value is masked: an environment handed to a program usually carries keys,
 * and header names for keys are too many to guess (X-Gotify-Key, Private-Token, …).
 */
const ALL_VALUES_SECRET = new Set(["env", "headers"]);
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

export interface RedactUrlOptions {
  /**
   * Mask the path too. ntfy topics, healthchecks ping URLs and chat webhooks (Slack, Discord) carry
   * their secret in the path, so for those only the scheme and host are shown.
   * @default false
   */
  readonly path?: boolean;
}

/** A URL with its credentials, query values (and optionally path) replaced by `***`. */
export function redactUrl(text: string, options: RedactUrlOptions = {}): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return redactText(text);
  }
  let userinfo = "";
  if (url.password) userinfo = `${url.username}:${REDACTED}@`;
  else if (url.username) userinfo = `${REDACTED}@`; // a lone user name is often a token
  const path = options.path && url.pathname !== "/" ? `/${REDACTED}` : url.pathname;
  const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=${REDACTED}`).join("&");
  return `${url.protocol}//${userinfo}${url.host}${path}${query ? `?${query}` : ""}`;
}

/**
 * Options as they may be shown in `status` and logs: secret-named keys, URL credentials and query
 * values masked. `secretPathKeys` names the URL options whose path is a secret too, or "all" for
 * options whose meaning is unknown (a plugin's).
 */
export function redactOptions(
  value: unknown,
  secretPathKeys: readonly string[] | "all" = [],
  key: string | undefined = undefined,
): unknown {
  if (key !== undefined && SECRET_KEY.test(key)) return value === undefined ? undefined : REDACTED;
  if (typeof value === "string") {
    if (!URL_LIKE.test(value)) return redactText(value);
    const path = secretPathKeys === "all" || (key !== undefined && secretPathKeys.includes(key));
    return redactUrl(value, { path });
  }
  if (Array.isArray(value)) return value.map((item) => redactOptions(item, secretPathKeys));
  if (value instanceof Date || value === null || typeof value !== "object") return value;
  const maskAll = key !== undefined && ALL_VALUES_SECRET.has(key);
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    out[name] = maskAll ? REDACTED : redactOptions(item, secretPathKeys, name);
  }
  return out;
}

/**
 * A value shorter than this is not searched for in text (secretValuesOf leaves it out, and the
 * dashboard's scrubber replaces it only where a whole string is it): `1` or `true` would blank out half
 * of every text, and a secret that short is no secret. @default 6
 */
export const MIN_SECRET_LENGTH = 6;

/**
 * The secret values inside notifier options, by the same rules redactOptions masks them: values of
 * secret-named keys, every value under `env` and `headers`, and of each URL its credentials, query
 * values and path (a chat webhook's or ntfy topic's secret). For a scrubber
 * that must find them in text that quotes them, where redactOptions only masks them in place.
 */
export function secretValuesOf(
  value: unknown,
  key: string | undefined = undefined,
  into = new Set<string>(),
): Set<string> {
  const add = (text: string) => {
    if (text.length >= MIN_SECRET_LENGTH) into.add(text);
  };
  if (typeof value === "string") {
    if (key !== undefined && (SECRET_KEY.test(key) || ALL_VALUES_SECRET.has(key))) add(value);
    else if (URL_LIKE.test(value)) {
      try {
        const url = new URL(value);
        add(decodeURIComponent(url.password));
        add(decodeURIComponent(url.username));
        for (const item of url.searchParams.values()) add(item);
        // The whole path, slash first: a topic's bare name ("backups") would blank out ordinary words.
        if (url.pathname !== "/") add(url.pathname);
      } catch {
        // Not a URL after all: nothing here is known to be secret.
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) secretValuesOf(item, key, into);
  } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const all = key !== undefined && ALL_VALUES_SECRET.has(key);
    for (const [name, item] of Object.entries(value)) {
      if (all && typeof item === "string") add(item);
      else secretValuesOf(item, name, into);
    }
  }
  return into;
}

/**
 * Every URL in free text down to its scheme and host (credentials, path and query masked). An error
 * may quote the URL it failed on, and a chat webhook's or ntfy topic's secret is its path, which
 * `redactText` keeps.
 */
export function redactUrlsInText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (found) => {
    // Punctuation that closes the sentence or a bracket is not part of the URL.
    const url = found.replace(/[).,;:\]}]+$/, "");
    return `${redactUrl(url, { path: true })}${found.slice(url.length)}`;
  });
}

/**
 * Masks secrets that free text (an error message, a command line) may carry: credentials in URLs,
 * `token=…` style pairs, bearer and basic authorizations.
 */
export function redactText(text: string): string {
  return text
    .replace(
      /([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+)(:[^\s/@]*)?@/gi,
      (_all, scheme: string, user: string, pass) =>
        pass ? `${scheme}${user}:${REDACTED}@` : `${scheme}${REDACTED}@`,
    )
    .replace(/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`)
    .replace(
      /([?&;,([{\s-]|^)([\w-]*(?:token|passw\w*|secret|api[-_]?key|auth)[\w-]*)(=|:\s*)(?!(?:Bearer|Basic|Token) )([^\s&;,"']+)/gi,
      (_all, before: string, name: string, sep: string) => `${before}${name}${sep}${REDACTED}`,
    );
}

/** What `status` shows of a notifier: its description with every secret masked. */
export function describeNotifier(notifier: Notifier): NotifierDescription {
  const own = notifier.toJSON?.() ?? { name: notifier.name };
  // Masked again: a plugin's toJSON may forget a secret; the built-ins' are masked already.
  const options = own.options ? (redactOptions(own.options) as Record<string, unknown>) : undefined;
  return {
    name: redactText(own.name),
    ...(own.type ? { type: own.type } : {}),
    on: own.on ?? notifier.on ?? DEFAULT_NOTIFY_ON,
    ...(options ? { options } : {}),
  };
}
