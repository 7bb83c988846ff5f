/**
 * CPTS size from the territory's population (DOMAIN §2). The source tables print the headers
 * inverted ("> 40 000" for T1, "< 175 000" for T4); the intended ranges are used here.
 * Boundaries: T1 < 40 000; T2 40 000 – 80 000 inclusive; T3 80 001 – 175 000 inclusive;
 * T4 > 175 000. A value printed in two ranges belongs to the lower-numbered one except
 * 40 000, which "< 40 000" excludes from T1.
 */

export type AciSize = 1 | 2 | 3 | 4;

export const SIZES: readonly AciSize[] = [1, 2, 3, 4];

export function isAciSize(value: unknown): value is AciSize {
  return value === 1 || value === 2 || value === 3 || value === 4;
}

export function sizeFromPopulation(population: number): AciSize {
  if (!Number.isInteger(population) || population < 0) {
    throw new RangeError(`Population must be a non-negative integer, got ${population}`);
  }
  if (population < 40_000) return 1;
  if (population <= 80_000) return 2;
  if (population <= 175_000) return 3;
  return 4;
}
