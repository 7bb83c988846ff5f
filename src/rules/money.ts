/**
 * Money is integer cents. Rounding rule for the whole rules module: computations keep exact
 * fractions as long as possible and round **half up (away from zero)** once, at the last step,
 * per line (per funding line, per payment, per indemnity). Splits (75 % / 25 %) round the first
 * share and give the remainder to the second, so that the shares always sum to the whole.
 */

export type Cents = number;

/** Rounds a non-integer amount of cents half away from zero, ignoring float noise below 1e-6 cent. */
export function roundHalfUp(value: number): Cents {
  const cleaned = Math.round(value * 1e6) / 1e6;
  const rounded = Math.floor(Math.abs(cleaned) + 0.5);
  return cleaned < 0 ? -rounded : rounded;
}

/** Exact integer division numerator/denominator rounded half up (both integers, denominator > 0). */
export function divRoundHalfUp(numerator: number, denominator: number): Cents {
  // constant-mutants: ignore-next-line an integer divided by 1 is exact on both paths
  // Stryker disable next-line EqualityOperator: `< 0` is equivalent, a division by 0 gives ±Infinity or NaN on both paths
  if (!Number.isInteger(numerator) || !Number.isInteger(denominator) || denominator <= 0) {
    return roundHalfUp(numerator / denominator);
  }
  const sign = numerator < 0 ? -1 : 1;
  const n = Math.abs(numerator);
  return sign * Math.floor((2 * n + denominator) / (2 * denominator));
}

/** Splits an amount into a first share of `percent` % (rounded half up) and the remainder. */
export function splitPercent(amount: Cents, percent: number): [Cents, Cents] {
  const first = divRoundHalfUp(amount * percent, 100);
  return [first, amount - first];
}

export function sumCents(values: readonly Cents[]): Cents {
  return values.reduce((total, v) => total + v, 0);
}

/** French euro format with plain spaces: 123456 → "1 234,56 €", 123456789 → "1 234 567,89 €", -5 → "-0,05 €". */
export function formatEuros(cents: Cents): string {
  // Rounded first (half away from zero), the sign taken from the rounded amount: never "-0,00 €".
  const abs = Math.abs(roundHalfUp(cents));
  // Stryker disable next-line EqualityOperator: `<=` is equivalent, 0 cents has abs 0 and no sign either way
  const sign = cents < 0 && abs > 0 ? "-" : "";
  const euros = Math.floor(abs / 100);
  const rest = String(abs % 100).padStart(2, "0");
  const grouped = String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return `${sign}${grouped},${rest} €`;
}

export function euros(amount: number): Cents {
  return Math.round(amount * 100);
}
