import * as z from "zod";
import { expected, type RawProblem } from "./problems.js";
import { boolean, path } from "./schema-fields.js";
import type { UiSettings } from "./types.js";
import { exposureProblem, LISTEN_EXPECTED, parseListenAddress } from "./ui-listen.js";

/*
 * The `ui` key: where the dashboard (@simplebackup/web) listens and who may log in. Its shapes are
 * checked here with the rest of the config, and so is the rule for leaving loopback (ui-listen.ts):
 * `validate` says it, and a daemon never starts on a config the dashboard would then refuse.
 */

/** @default "127.0.0.1:8470" */
export const DEFAULT_UI_LISTEN = "127.0.0.1:8470";

const LISTEN = /^(?:\d{1,5}|(?:\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5})$/;

const userSchema = z.strictObject(
  {
    name: z
      .string(expected("a user name"))
      .min(1, expected("a user name"))
      .describe("The name to log in with."),
    password_hash: z
      .string(expected("a scrypt hash"))
      .regex(/^scrypt\$/, expected("a hash made by `simplebackup ui --hash-password`"))
      .describe(
        "The password's scrypt hash, made by `simplebackup ui --hash-password` (never the password itself).",
      ),
  },
  expected("a user object"),
);

export const uiSchema = z
  .strictObject(
    {
      listen: z
        .string(expected("host:port"))
        .regex(LISTEN, expected("host:port, such as 127.0.0.1:8470"))
        .optional()
        .describe(
          "Where the dashboard listens, host:port. An address other machines can reach needs tls (or insecure_http) and a user. Default: 127.0.0.1:8470.",
        ),
      tls: z
        .strictObject(
          {
            cert: path("a certificate file path").describe("The certificate (PEM), with its chain."),
            key: path("a key file path").describe("The certificate's private key (PEM)."),
          },
          expected("an object with cert and key"),
        )
        .optional()
        .describe("Serve the dashboard over HTTPS with these files (relative to the config file's folder)."),
      insecure_http: boolean(
        "Allow a listen address other machines can reach without tls: only behind a TLS proxy or on a network you trust. Default: false.",
      ),
      hosts: z
        .array(
          z.string(expected("a host name")).min(1, expected("a host name")),
          expected("an array of host names"),
        )
        .optional()
        .describe(
          "More names the dashboard answers to, besides 127.0.0.1 and localhost (a proxy's or the LAN's name for it). Requests for any other name are refused.",
        ),
      users: z
        .array(userSchema, expected("an array of users"))
        .optional()
        .describe("Named users who log in with a password, besides the one-time link of `simplebackup ui`."),
    },
    expected("an object"),
  )
  .optional()
  .describe(
    "The web dashboard, started by `simplebackup run` when this key is set (or with --ui). See docs/dashboard.md.",
  );

/** Examples and defaults for the JSON Schema and the reference. */
export const UI_NOTES = {
  ui: { title: "Dashboard", examples: [{ listen: DEFAULT_UI_LISTEN }] },
  "ui.listen": { default: DEFAULT_UI_LISTEN, examples: ["127.0.0.1:8470", "[::1]:8443"] },
  "ui.tls": {
    examples: [{ cert: "/etc/simplebackup/dashboard.crt", key: "/etc/simplebackup/dashboard.key" }],
  },
  "ui.tls.cert": { examples: ["/etc/simplebackup/dashboard.crt"] },
  "ui.tls.key": { examples: ["/etc/simplebackup/dashboard.key"] },
  "ui.insecure_http": { default: false, examples: [true] },
  "ui.hosts": { default: [], examples: [["backup.lan"]] },
  "ui.users": {
    default: [],
    examples: [
      [
        {
          name: "ada",
          password_hash: "scrypt$131072$8$1$c2FsdA$aGFzaA",
        },
      ],
    ],
  },
  "ui.users[]": {
    title: "Dashboard user",
    examples: [
      {
        name: "ada",
        password_hash: "scrypt$131072$8$1$c2FsdA$aGFzaA",
      },
    ],
  },
  "ui.users[].name": { examples: ["ada"] },
  "ui.users[].password_hash": {
    examples: ["scrypt$131072$8$1$c2FsdA$aGFzaA"],
  },
} as const;

/** The listen address that cannot be parsed, or may not be used as configured: at `ui.listen`. */
export function uiProblems(input: unknown): RawProblem[] {
  if (typeof input !== "object" || input === null) return [];
  const ui = input as Record<string, unknown>;
  if (typeof ui.listen !== "string" || !LISTEN.test(ui.listen)) return [];
  const address = parseListenAddress(ui.listen);
  if (!address || address.port === 0) {
    return [
      { path: ["ui", "listen"], message: `expected ${LISTEN_EXPECTED}, got ${JSON.stringify(ui.listen)}` },
    ];
  }
  const problem = exposureProblem(address, {
    tls: typeof ui.tls === "object" && ui.tls !== null,
    insecureHttp: ui.insecure_http === true,
    users: Array.isArray(ui.users) ? ui.users.length : 0,
  });
  return problem ? [{ path: ["ui", "listen"], message: problem }] : [];
}

/** The `ui` key resolved: paths absolute, defaults applied. */
export function toUiSettings(
  input: z.infer<typeof uiSchema>,
  resolve: (p: string) => string,
): UiSettings | undefined {
  if (input === undefined) return undefined;
  return {
    listen: input.listen ?? DEFAULT_UI_LISTEN,
    tls: input.tls ? { cert: resolve(input.tls.cert), key: resolve(input.tls.key) } : undefined,
    insecureHttp: input.insecure_http ?? false,
    hosts: input.hosts ?? [],
    users: (input.users ?? []).map((user) => ({ name: user.name, passwordHash: user.password_hash })),
  };
}
