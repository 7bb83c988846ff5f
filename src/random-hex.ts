// Random hex for identifiers made once per row or per mail (row ids, MIME boundaries): crypto-quality bytes drawn
// from a 4 KiB pool refilled when used up, as Node's own randomUUID does. One randomBytes() call per id cost
// ≈ 35 µs of CPU in the national reminders run (a system call each), 5 % of a mail (issue 18).
import { randomBytes, randomFillSync } from "node:crypto";

const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

/** `bytes` random bytes as lowercase hex (from the pool up to 64 bytes, directly beyond). */
export function randomHex(bytes: number): string {
  if (bytes > 64) return randomBytes(bytes).toString("hex");
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return hex;
}
