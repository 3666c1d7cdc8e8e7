// Test support: gives a freshly initialised local restic repository a key that is cheap to derive.
//
// restic derives the key of every command from the password with scrypt at the parameters stored in
// the key file; `restic init` calibrates them to ~0.5 s of CPU (N=32768, r=8, p=8), and the suite runs
// thousands of restic commands on 2 cores. This rewrites the repository's key file to the same master
// key under N=1024, r=8, p=1 (restic's own tests lower these parameters the same way), so a command
// costs ~40 ms instead of ~600 ms. Nothing else in the repository changes; restic reads the
// parameters from the key file, so every version opens it as before. Used only by
// test/support/bin/restic, after a successful `restic init`; never by simplebackup itself.
//
// The key file format (restic's design document, "Keys, Encryption and MAC"): `data` is
// IV(16) ‖ AES-256-CTR(master key JSON) ‖ Poly1305-AES MAC(16) under the 64 bytes scrypt derives from
// the password: encryption key(32) ‖ MAC key k(16) ‖ MAC key r(16).
import { execFileSync } from "node:child_process";
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from "node:crypto";
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const CHEAP = { N: 1024, r: 8, p: 1 };
const P1305 = 2n ** 130n - 5n;

function littleEndian(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

function toLittleEndian(n, length) {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++, n >>= 8n) bytes[i] = Number(n & 0xffn);
  return bytes;
}

// Node has Poly1305 only inside chacha20-poly1305, so the one-time authenticator is written out here.
function poly1305(message, r16, s16) {
  const r = littleEndian(r16) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let accumulator = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const block = message.subarray(i, i + 16);
    accumulator = ((accumulator + littleEndian(block) + (1n << BigInt(8 * block.length))) * r) % P1305;
  }
  return toLittleEndian((accumulator + littleEndian(s16)) % (1n << 128n), 16);
}

function mac(keys, iv, ciphertext) {
  const aes = createCipheriv("aes-128-ecb", keys.k, null).setAutoPadding(false);
  return poly1305(ciphertext, keys.r, aes.update(iv));
}

function derive(password, salt, { N, r, p }) {
  const bytes = scryptSync(password, salt, 64, { N, r, p, maxmem: 512 * 1024 * 1024 });
  return { encryption: bytes.subarray(0, 32), k: bytes.subarray(32, 48), r: bytes.subarray(48, 64) };
}

function open(keys, sealed) {
  const iv = sealed.subarray(0, 16);
  const ciphertext = sealed.subarray(16, -16);
  if (!mac(keys, iv, ciphertext).equals(sealed.subarray(-16))) {
    throw new Error("the password does not open the repository's key");
  }
  const decipher = createDecipheriv("aes-256-ctr", keys.encryption, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function seal(keys, plaintext) {
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-ctr", keys.encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, ciphertext, mac(keys, iv, ciphertext)]);
}

const VALUE_FLAGS = new Set([
  "-r",
  "--repo",
  "--repository-file",
  "-p",
  "--password-file",
  "--password-command",
]);

/** The repository and password sources of one restic command line, flags over environment. */
function readCommandLine(args, env) {
  const found = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") ? args[i].split(/=(.*)/s, 2) : [args[i]];
    if (!VALUE_FLAGS.has(flag)) continue;
    found[flag] = inline ?? args[++i];
  }
  const repositoryFile = found["--repository-file"] ?? env.RESTIC_REPOSITORY_FILE;
  const repository =
    found["-r"] ??
    found["--repo"] ??
    (repositoryFile ? readFileSync(repositoryFile, "utf8").trim() : env.RESTIC_REPOSITORY);
  const passwordFile = found["-p"] ?? found["--password-file"] ?? env.RESTIC_PASSWORD_FILE;
  const passwordCommand = found["--password-command"] ?? env.RESTIC_PASSWORD_COMMAND;
  let password = env.RESTIC_PASSWORD;
  if (passwordFile) password = readFileSync(passwordFile, "utf8").replace(/\r?\n$/, "");
  else if (passwordCommand)
    password = execFileSync("sh", ["-c", passwordCommand], { encoding: "utf8" }).replace(/\r?\n$/, "");
  return { repository, password };
}

const { repository, password } = readCommandLine(process.argv.slice(2), process.env);
// Only a folder on this machine: a REST or sftp repository's files are out of reach (and rare in tests).
const folder = repository?.replace(/^local:/, "");
if (!folder || /^[a-z0-9]+:/i.test(folder) || password === undefined) process.exit(0);

const keysFolder = join(folder, "keys");
for (const name of readdirSync(keysFolder)) {
  const key = JSON.parse(readFileSync(join(keysFolder, name), "utf8"));
  if (key.N === CHEAP.N && key.r === CHEAP.r && key.p === CHEAP.p) continue;
  const master = open(
    derive(password, Buffer.from(key.salt, "base64"), key),
    Buffer.from(key.data, "base64"),
  );
  const salt = randomBytes(64);
  const text = JSON.stringify({
    ...key,
    ...CHEAP,
    salt: salt.toString("base64"),
    data: seal(derive(password, salt, CHEAP), master).toString("base64"),
  });
  // restic names every file of a repository by the SHA-256 of its content.
  writeFileSync(join(keysFolder, createHash("sha256").update(text).digest("hex")), text, { mode: 0o400 });
  unlinkSync(join(keysFolder, name));
}
