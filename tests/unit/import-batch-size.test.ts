// Member imports write by batches sized to the time a batch holds the database (~40 ms): a slow
// machine gets smaller batches, a fast one larger, within 10..500 rows.
import { describe, it, expect } from "vitest";
import { nextBatchSize } from "../../src/app/services/member-import.ts";

describe("taille des lots d'import", () => {
  it.each([
    // size, took (ms), next
    [100, 25, 100], // about right: kept
    [100, 59, 100],
    [100, 61, 50], // too long: halved
    [100, 350, 50],
    [15, 400, 10], // never below 10
    [10, 400, 10],
    [100, 19, 200], // quick: doubled
    [400, 5, 500], // never above 500
    [500, 1, 500],
  ])("un lot de %i lignes écrit en %i ms → %i lignes ensuite", (size, took, next) => {
    expect(nextBatchSize(size, took)).toBe(next);
  });
});
