import { describe, expect, it } from "vitest";
import { randomHex } from "../../src/random-hex.ts";

describe("randomHex (pool d'octets aléatoires)", () => {
  it("donne le nombre d'octets demandé en hexadécimal, sans répétition d'un remplissage du pool à l'autre", () => {
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
});
