import { describe, expect, it } from "vitest";
import { newActionId } from "../../src/db/repos/chat-repo.ts";
import { randomBase64url, randomHex } from "../../src/random-pool.ts";

describe("pool d'octets aléatoires", () => {
  it("randomHex donne le nombre d'octets demandé en hexadécimal, sans répétition d'un remplissage du pool à l'autre", () => {
    const seen = new Set<string>();
    // 3 000 × 6 octets : le pool de 4 Kio est rempli plus de quatre fois
    for (let i = 0; i < 3000; i++) {
      const h = randomHex(6);
      expect(h).toMatch(/^[0-9a-f]{12}$/);
      seen.add(h);
    }
    expect(seen.size).toBe(3000);
    for (const n of [1, 12, 64, 65, 5000]) expect(randomHex(n)).toMatch(new RegExp(`^[0-9a-f]{${2 * n}}$`));
  });

  it("randomBase64url donne des octets en base64url sans remplissage, tirés du même pool sans chevauchement", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const b = randomBase64url(15);
      expect(b).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(Buffer.from(b, "base64url")).toHaveLength(15);
      seen.add(b);
    }
    expect(seen.size).toBe(1000);
    expect(Buffer.from(randomBase64url(100), "base64url")).toHaveLength(100);
  });
});

describe("identifiant d'action en attente (boutons, livraisons)", () => {
  it("commence par l'instant de création, puis 120 bits aléatoires : triés par date, uniques, imprévisibles", async () => {
    const first = Array.from({ length: 500 }, () => newActionId());
    await new Promise((r) => setTimeout(r, 5));
    const later = newActionId();
    for (const id of [...first, later]) expect(id).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{20}$/);
    expect(new Set(first).size).toBe(500);
    // the time prefix: milliseconds in base 36, fixed width, so the text order is the time order
    const at = (id: string) => parseInt(id.slice(0, 9), 36);
    expect(Math.abs(at(later) - Date.now())).toBeLessThan(1000);
    for (const id of first) expect(id.slice(0, 9) <= later.slice(0, 9)).toBe(true);
    expect(at(later)).toBeGreaterThan(at(first[0]!));
    // the random part differs even within one millisecond
    expect(new Set(first.map((id) => id.slice(9))).size).toBe(500);
    // with the longest command and action names, a button id stays within Discord's 100 characters
    expect(`plan-crise-activation:indisponible:${later}`.length).toBeLessThanOrEqual(100);
  });
});
