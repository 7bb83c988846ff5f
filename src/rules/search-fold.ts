/**
 * Accent folding for searching people by name: « helene » finds « Hélène », « Francois »
 * « François », « oeil » « Œil ». One table, used by the search typed (foldSearch) and by the
 * database for the stored Member.searchText (migration member_search_fold: SQLite triggers and the
 * PostgreSQL function coordo_member_search_text apply the same replacements; the integration test
 * search-accents checks every character of the table on both engines).
 *
 * The table, not a Unicode normalisation, defines the folding: SQLite's lower() and replace() know
 * no Unicode, so both sides must replace the same characters. It holds the letters with diacritics
 * of French (and of the names met in France: á, ã, ñ, ì, ò, õ, ú, ý), both cases, the ligatures, and
 * the combining marks of decomposed text (« e » + U+0301), which are dropped.
 */

const GROUPS: [string, string][] = [
  ["a", "àâäáãåÀÂÄÁÃÅ"],
  ["c", "çÇ"],
  ["e", "éèêëÉÈÊË"],
  ["i", "îïíìÎÏÍÌ"],
  ["n", "ñÑ"],
  ["o", "ôöóòõÔÖÓÒÕ"],
  ["u", "ùûüúÙÛÜÚ"],
  ["y", "ÿýŸÝ"],
  ["oe", "œŒ"],
  ["ae", "æÆ"],
  // combining grave, acute, circumflex, tilde, diaeresis, ring, cedilla
  ["", "\u0300\u0301\u0302\u0303\u0308\u030a\u0327"],
];

/** Each folded character and what replaces it. */
export const SEARCH_FOLDS: readonly (readonly [string, string])[] = GROUPS.flatMap(([to, chars]) => [...chars].map((c) => [c, to] as const));

const FOLD = new Map(SEARCH_FOLDS);
// Stryker disable next-line StringLiteral: a separator only adds characters to the class, which the replacer maps to themselves
const FOLDED = new RegExp(`[${SEARCH_FOLDS.map(([c]) => c).join("")}]`, "gu");

/** The text as the search compares it: the table's characters replaced, then lower-cased (ASCII letters, as SQLite's lower()). */
export function foldSearch(s: string): string {
  // Stryker disable next-line Regex: lowering capitals one at a time or a run at a time gives the same text
  return s.replace(FOLDED, (c) => FOLD.get(c) ?? c).replace(/[A-Z]+/g, (w) => w.toLowerCase());
}
