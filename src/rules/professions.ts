// Professions of the CPTS members (DOMAIN §9). The list is extensible: a CPTS may record any key;
// these are the known ones, with their French label, indemnity group and regional member share.
export interface Profession {
  key: string;
  label: string;
  /** Indemnity rules may differ for doctors and other professions (DOMAIN §7). */
  group: "medecin" | "autre";
  /** Share of members in Hauts-de-France, in per-mille (DOMAIN §9). */
  sharePerMille: number;
}

// Stryker disable StringLiteral,ArrowFunction: module-level table and index built once at import, before Stryker can switch a mutant on (the professions tests pin keys and labels)
export const PROFESSIONS: readonly Profession[] = [
  { key: "infirmier", label: "Infirmier·e", group: "autre", sharePerMille: 270 },
  { key: "medecin_generaliste", label: "Médecin généraliste", group: "medecin", sharePerMille: 260 },
  { key: "pharmacien", label: "Pharmacien·ne", group: "autre", sharePerMille: 170 },
  { key: "orthophoniste", label: "Orthophoniste", group: "autre", sharePerMille: 110 },
  { key: "masseur_kinesitherapeute", label: "Masseur-kinésithérapeute", group: "autre", sharePerMille: 70 },
  { key: "medecin_specialiste", label: "Médecin spécialiste", group: "medecin", sharePerMille: 50 },
  { key: "sage_femme", label: "Sage-femme", group: "autre", sharePerMille: 20 },
  { key: "pedicure_podologue", label: "Pédicure-podologue", group: "autre", sharePerMille: 20 },
  { key: "chirurgien_dentiste", label: "Chirurgien-dentiste", group: "autre", sharePerMille: 20 },
  { key: "biologiste", label: "Biologiste", group: "autre", sharePerMille: 10 },
  { key: "orthoptiste", label: "Orthoptiste", group: "autre", sharePerMille: 4 },
  { key: "psychologue", label: "Psychologue", group: "autre", sharePerMille: 0 },
  { key: "dieteticien", label: "Diététicien·ne", group: "autre", sharePerMille: 0 },
  { key: "enseignant_apa", label: "Enseignant·e APA", group: "autre", sharePerMille: 0 },
  { key: "ergotherapeute", label: "Ergothérapeute", group: "autre", sharePerMille: 0 },
];

const byKey = new Map(PROFESSIONS.map((p) => [p.key, p]));
// Stryker restore StringLiteral,ArrowFunction

export function professionLabel(key: string | null | undefined): string {
  if (!key) return "Non renseignée";
  return byKey.get(key)?.label ?? key.replace(/_/g, " ");
}

const fold = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

/** Keys of the professions whose label contains `text` (no case, no accents): « infirm » finds « Infirmier·e ». */
export function professionsMatching(text: string): string[] {
  const t = fold(text.trim());
  return t.length < 2 ? [] : PROFESSIONS.filter((p) => fold(p.label).includes(t) || p.key.includes(t)).map((p) => p.key);
}

export function professionGroup(key: string | null | undefined): "medecin" | "autre" {
  // Stryker disable next-line StringLiteral: equivalent, no profession has the empty key nor any other stand-in
  return byKey.get(key ?? "")?.group ?? "autre";
}

export function isKnownProfession(key: string): boolean {
  return byKey.has(key);
}

/** Splits `total` members across professions by their shares (largest remainder, deterministic). */
export function distributeByShare(total: number): { key: string; count: number }[] {
  const weighted = PROFESSIONS.filter((p) => p.sharePerMille > 0);
  const sum = weighted.reduce((s, p) => s + p.sharePerMille, 0);
  const raw = weighted.map((p) => ({ key: p.key, exact: (total * p.sharePerMille) / sum }));
  const out = raw.map((r) => ({ key: r.key, count: Math.floor(r.exact), rem: r.exact - Math.floor(r.exact) }));
  let left = total - out.reduce((s, r) => s + r.count, 0);
  for (const r of [...out].sort((a, b) => b.rem - a.rem)) {
    if (left-- <= 0) break;
    r.count++;
  }
  return out.map(({ key, count }) => ({ key, count }));
}
