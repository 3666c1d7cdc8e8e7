import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { DashboardError } from "./errors.js";

export const TOKEN_FILE_NAME = "dashboard-token";

/** How long a login link works. Long enough to click, short enough that an old terminal scrollback is useless. */
export const LOGIN_CODE_TTL_MS = 5 * 60_000;

/**
 * The dashboard's secret: 32 random bytes in `<state>/dashboard-token`, mode 0600, made on first use.
 * It never leaves this file: login links carry a code derived from it (`createLoginCode`), so whoever
 * can read the file (the user, root) can log in, and a link seen in a browser's history or a shell's
 * scrollback cannot be replayed.
 */
export async function ensureLoginToken(stateDir: string): Promise<Buffer> {
  const file = path.join(stateDir, TOKEN_FILE_NAME);
  const existing = await readLoginToken(stateDir).catch((error: unknown) => {
    if (error instanceof DashboardError && (error.cause as NodeJS.ErrnoException)?.code === "ENOENT") {
      return undefined;
    }
    throw error;
  });
  if (existing) return existing;
  const token = randomBytes(32);
  try {
    await mkdir(stateDir, { recursive: true });
    // "wx": two daemons starting at once on one folder must not overwrite each other's token.
    await writeFile(file, `${token.toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readLoginToken(stateDir);
    throw new DashboardError("DASHBOARD_TOKEN_UNAVAILABLE", `cannot write the login token ${file}`, {
      cause: error,
    });
  }
}

/** The token, with its file put back to 0600 if something widened it. */
export async function readLoginToken(stateDir: string): Promise<Buffer> {
  const file = path.join(stateDir, TOKEN_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, "utf8");
    if (process.platform !== "win32") await chmod(file, 0o600);
  } catch (error) {
    throw new DashboardError("DASHBOARD_TOKEN_UNAVAILABLE", `cannot read the login token ${file}`, {
      cause: error,
    });
  }
  const token = Buffer.from(text.trim(), "base64url");
  if (token.length < 32) {
    throw new DashboardError(
      "DASHBOARD_TOKEN_UNAVAILABLE",
      `the login token ${file} is damaged: remove it and restart the daemon to make a new one`,
    );
  }
  return token;
}

/**
 * A one-time login code: `<expiry>.<nonce>.<mac>`, the mac an HMAC-SHA256 of the first two under the
 * token. `simplebackup ui` makes it without talking to the daemon; the daemon checks the mac and the
 * expiry and remembers the nonce until then, so each code logs in once.
 */
export function createLoginCode(token: Buffer, now: number, ttlMs = LOGIN_CODE_TTL_MS): string {
  const payload = `${now + ttlMs}.${randomBytes(16).toString("base64url")}`;
  return `${payload}.${mac(token, payload)}`;
}

function mac(token: Buffer, payload: string): string {
  return createHmac("sha256", token).update(`simplebackup-login:${payload}`).digest("base64url");
}

/** Accepts each valid code once, until it expires. */
export class LoginCodes {
  readonly #token: Buffer;
  readonly #used = new Map<string, number>();

  constructor(token: Buffer) {
    this.#token = token;
  }

  /** True when the code is genuine, unexpired and not used before; it is then used up. */
  redeem(code: string, now: number): boolean {
    for (const [nonce, expiry] of this.#used) if (expiry <= now) this.#used.delete(nonce);
    const match = /^(\d{1,16})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/.exec(code);
    if (!match) return false;
    const [, expiryText = "", nonce = "", given = ""] = match;
    const expected = Buffer.from(mac(this.#token, `${expiryText}.${nonce}`));
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return false;
    const expiry = Number(expiryText);
    // A code valid for longer than a link ever is was not made by us (or the clock jumped): refuse.
    if (expiry <= now || expiry > now + LOGIN_CODE_TTL_MS * 2) return false;
    if (this.#used.has(nonce)) return false;
    this.#used.set(nonce, expiry);
    return true;
  }
}
