/**
 * Public-funding thresholds (DOMAIN §3): strictly above 153 000 € of public subsidies in a year
 * the accounts must be certified by a commissaire aux comptes; strictly above 23 000 € one
 * subsidy needs a written agreement with the funder. Amounts are settings.
 */
import { formatEuros, sumCents, type Cents } from "./money.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "./settings.ts";

export interface Subsidy {
  funder: string;
  cents: Cents;
  label?: string;
}

export type FundingAlert =
  | { kind: "commissaire_aux_comptes"; totalCents: Cents; thresholdCents: Cents; label: string }
  | { kind: "convention_ecrite"; funder: string; cents: Cents; thresholdCents: Cents; label: string };

export function publicFundingAlerts(yearSubsidies: readonly Subsidy[], settings: RulesSettings = DEFAULT_SETTINGS): FundingAlert[] {
  const { auditorCents, writtenAgreementCents } = settings.thresholds;
  const alerts: FundingAlert[] = [];
  const total = sumCents(yearSubsidies.map((s) => s.cents));
  if (total > auditorCents) {
    alerts.push({
      kind: "commissaire_aux_comptes",
      totalCents: total,
      thresholdCents: auditorCents,
      label: `Les subventions publiques de l'année atteignent ${formatEuros(total)}, au-delà de ${formatEuros(auditorCents)} : les comptes doivent être certifiés par un commissaire aux comptes et publiés dans les 3 mois suivant leur approbation.`,
    });
  }
  for (const subsidy of yearSubsidies) {
    if (subsidy.cents > writtenAgreementCents) {
      alerts.push({
        kind: "convention_ecrite",
        funder: subsidy.funder,
        cents: subsidy.cents,
        thresholdCents: writtenAgreementCents,
        label: `La subvention de ${subsidy.funder} (${formatEuros(subsidy.cents)}) dépasse ${formatEuros(writtenAgreementCents)} : une convention écrite avec le financeur est obligatoire.`,
      });
    }
  }
  return alerts;
}
