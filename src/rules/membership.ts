/**
 * Membership roles as the other rules need them (pure, no I/O).
 * - Who owes dues: the association's members, i.e. anyone holding the ADHERENT role or sitting on
 *   the board (CA, BUREAU: board members are members). The coordination staff (COORDONNATEUR) and
 *   partners (PARTENAIRE) owe nothing unless they are also members. A member flagged exempt, or
 *   in a category the CPTS exempts, owes nothing.
 * - Which role rate of the règlement intérieur applies to a member at a meeting: the most specific
 *   governance role they hold for which the rules have a rate (coordination, then bureau, then CA).
 */

export type MemberRoleKind = "ADHERENT" | "CA" | "BUREAU" | "COORDONNATEUR" | "PARTENAIRE";

const DUES_ROLES: ReadonlySet<string> = new Set(["ADHERENT", "CA", "BUREAU"]);

// Stryker disable next-line ArrayDeclaration: a default list holding one sentence exempts no real category, as the empty one (categories pinned in full-pass-survivors)
export function owesDues(roles: readonly string[], category: string | null | undefined, exempt: boolean, exemptCategories: readonly string[] = []): boolean {
  if (exempt) return false;
  if (category && exemptCategories.includes(category)) return false;
  return roles.some((r) => DUES_ROLES.has(r));
}

/** Roles that may carry their own indemnity rate, most specific first. */
const INDEMNITY_ROLE_ORDER: readonly MemberRoleKind[] = ["COORDONNATEUR", "BUREAU", "CA"];

// Stryker disable next-line MethodExpression: both sides go through the same fold, and the role words (COORDONNATEUR, BUREAU, CA) hold no letter folding differently (ß, ı, ſ, ligatures)
const normRole = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim().toLowerCase();

/**
 * The rule's role string to use for a member holding `roles`, given the role strings the indemnity
 * rules use (matched without case or accents: "Bureau", "bureau", "BUREAU"); undefined when none applies.
 */
export function indemnityRoleOf(roles: readonly string[], ruleRoles: readonly string[]): string | undefined {
  const byNorm = new Map(ruleRoles.map((r) => [normRole(r), r]));
  for (const kind of INDEMNITY_ROLE_ORDER) {
    if (!roles.includes(kind)) continue;
    const match = byNorm.get(normRole(kind));
    if (match !== undefined) return match;
  }
  return undefined;
}
