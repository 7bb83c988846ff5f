// Passwords: scrypt (memory-hard, in Node's crypto), salted, compared in constant time.
// Parameters: OWASP's password storage cheat sheet minimum for scrypt (N = 2^17, r = 8, p = 1: 128 MiB
// per hash, ~0.4 s on one core). A hash made with weaker parameters (N = 2^14 before) still verifies and
// is replaced at the next successful login (needsRehash).
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 };
// 128 * N * r bytes are needed; Node's default maxmem (32 MiB) would refuse them
const MAXMEM = 256 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = SCRYPT_PARAMS;
  const key = await scrypt(password, salt, 32, { N, r, p, maxmem: MAXMEM });
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split("$");
  if (alg !== "scrypt" || !salt || !key) return false;
  const N = Number(n), R = Number(r), P = Number(p);
  // a stored hash never makes us spend more than twice the current cost
  if (!Number.isInteger(N) || N < 2 || N > 2 * SCRYPT_PARAMS.N || !(R >= 1 && R <= 16) || !(P >= 1 && P <= 4)) return false;
  const expected = Buffer.from(key, "base64");
  const got = await scrypt(password, Buffer.from(salt, "base64"), expected.length, { N, r: R, p: P, maxmem: MAXMEM });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Was this hash made with parameters below the current ones (to be replaced after a successful login)? */
export function needsRehash(stored: string): boolean {
  const [alg, n, r, p] = stored.split("$");
  return alg !== "scrypt" || Number(n) < SCRYPT_PARAMS.N || Number(r) < SCRYPT_PARAMS.r || Number(p) < SCRYPT_PARAMS.p;
}
