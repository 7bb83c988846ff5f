/**
 * When the next periodic newsletter is due (DOMAIN: the CPTS sends a letter to its members at a chosen
 * cadence). One rule for the stats page, the chat summary and the coordinator's reminder job.
 *
 * Choice where DOMAIN is silent: with nothing ever sent, the first letter is due one period after
 * `since` (the CPTS's creation in coordo), so a new CPTS is reminded too instead of never.
 */
import { addMonths, compareDates, type IsoDate } from "./dates.ts";

export type NewsletterCadence = "MENSUELLE" | "TRIMESTRIELLE" | "SEMESTRIELLE" | "AUCUNE";

export const NEWSLETTER_CADENCE_MONTHS: Record<NewsletterCadence, number> = { MENSUELLE: 1, TRIMESTRIELLE: 3, SEMESTRIELLE: 6, AUCUNE: 0 };

export const NEWSLETTER_CADENCE_LABELS: Record<NewsletterCadence, string> = {
  MENSUELLE: "mensuelle",
  TRIMESTRIELLE: "trimestrielle",
  SEMESTRIELLE: "semestrielle",
  AUCUNE: "sans périodicité",
};

/** Due date of the next letter: one period after the last one sent (or after `since`); null without cadence. */
export function newsletterDueOn(cadence: NewsletterCadence, lastSentOn: IsoDate | null, since: IsoDate): IsoDate | null {
  const months = NEWSLETTER_CADENCE_MONTHS[cadence];
  if (!months) return null;
  return addMonths(lastSentOn ?? since, months);
}

/** Late: the due date is strictly before `at` (the due day itself is still on time). */
export function newsletterOverdue(dueOn: IsoDate | null, at: IsoDate): boolean {
  return dueOn !== null && compareDates(dueOn, at) < 0;
}
