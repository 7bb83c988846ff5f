// Member imports on SQLite write by batches sized to the time a batch holds the database (~40 ms):
// in proportion to the last batch's time, at most doubling, within 50..500 rows.
import { describe, it, expect } from "vitest";
import { nextBatchSize } from "../../src/app/services/member-import.ts";

describe("taille des lots d'import", () => {
  it.each([
    // size, held (ms), next
    [100, 40, 100], // on target: kept
    [100, 50, 80], // a little long: a little smaller
    [500, 350, 57], // far too long: straight to the size that fits, not halved three times
    [100, 400, 50], // never below 50 (a batch's fixed cost would dominate on a loaded machine)
    [50, 400, 50],
    [100, 30, 133], // a little quick: a little larger
    [100, 5, 200], // much quicker: at most doubled
    [400, 5, 500], // never above 500
    [500, 1, 500],
    [100, 0, 200], // below the clock's resolution: doubled, no division by zero
  ])("un lot de %i lignes tenant la base %i ms → %i lignes ensuite", (size, held, next) => {
    expect(nextBatchSize(size, held)).toBe(next);
  });
});
