// The seed of the fast-check property tests. FC_SEED set: every run replays the same inputs (CI exports a
// fixed one in .ci/run, so a CI run fails only on what the change broke). Unset: fast-check draws a new
// seed per property (a developer's run explores new inputs). On failure fast-check prints
// « { seed: N, path: "…" } »: FC_SEED=N replays that run.
import type fc from "fast-check";

function seedFromEnv(): number | undefined {
  const raw = process.env.FC_SEED?.trim();
  if (!raw) return undefined;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${raw}"`);
  return seed;
}

export const FC_SEED = seedFromEnv();

/** fc.assert parameters with the seed of FC_SEED, when set. */
export function fcParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  return FC_SEED === undefined ? params : { ...params, seed: FC_SEED };
}
