import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { DashboardError } from "./errors.js";

/** A named user of the dashboard, as the config holds it: never a password, only its hash. */
export interface DashboardUser {
  readonly name: string;
  /** `scrypt$<N>$<r>$<p>$<salt>$<hash>`, from `hashPassword` (`simplebackup ui --hash-password`). */
  readonly passwordHash: string;
}

interface ScryptHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

// OWASP's scrypt floor (N=2^17, r=8, p=1): ~130 MB·ms of work per guess, ~100 ms here, which only a
// login pays. maxmem must allow 128·N·r bytes.
const DEFAULT_COST = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_LENGTH,
      { ...cost, maxmem: 256 * cost.N * cost.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** The hash to put in `ui.users[].password_hash`. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, cost);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

function parseHash(text: string): ScryptHash | undefined {
  const parts = text.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const hash = Buffer.from(parts[5] ?? "", "base64url");
  const sane = [N, r, p].every((n) => Number.isInteger(n) && n > 0) && (N & (N - 1)) === 0 && N <= 2 ** 20;
  if (!sane || salt.length < 8 || hash.length !== KEY_LENGTH) return undefined;
  return { N, r, p, salt, hash };
}

/** Checks each user's hash once, at start, so a typo is a start-up error rather than a login that never works. */
export function checkUsers(users: readonly DashboardUser[]): void {
  const seen = new Set<string>();
  for (const [index, user] of users.entries()) {
    const where = `ui.users[${index}]`;
    if (!user.name) throw new DashboardError("DASHBOARD_USER_INVALID", `${where}: the name is empty`);
    if (seen.has(user.name)) {
      throw new DashboardError("DASHBOARD_USER_INVALID", `${where}: "${user.name}" is listed twice`);
    }
    seen.add(user.name);
    if (!parseHash(user.passwordHash)) {
      throw new DashboardError(
        "DASHBOARD_USER_INVALID",
        `${where} ("${user.name}"): password_hash is not a scrypt hash; make one with \`simplebackup ui --hash-password\``,
      );
    }
  }
}

// Checked when the name is unknown, so a wrong name costs as long as a wrong password and the time
// a login takes does not say which names exist.
const DUMMY: ScryptHash = {
  ...DEFAULT_COST,
  salt: Buffer.alloc(16, 1),
  hash: Buffer.alloc(KEY_LENGTH),
};

/** The user's name when the password is theirs; undefined otherwise. Constant-time in the hash. */
export async function verifyUser(
  users: readonly DashboardUser[],
  name: string,
  password: string,
): Promise<string | undefined> {
  const user = users.find((candidate) => candidate.name === name);
  const stored = (user && parseHash(user.passwordHash)) ?? DUMMY;
  const derived = await derive(password, stored.salt, stored);
  const same = derived.length === stored.hash.length && timingSafeEqual(derived, stored.hash);
  return user && same ? user.name : undefined;
}
