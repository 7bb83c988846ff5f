/**
 * Public-funding thresholds (DOMAIN §3): « à partir d'un montant supérieur à 153 000 € » (seed 002)
 * the accounts must be certified by a commissaire aux comptes. The seeds do not say of what: read
 * as the year's public funding (ACI + FIR), strictly above the threshold, and the alert names its
 * basis. Strictly above 23 000 € one subsidy needs a written agreement with the funder (general
 * association law). Amounts are settings.
 */
import { formatEuros, sumCents, type Cents } from "./money.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "./settings.ts";

export interface Subsidy {
  funder: string;
  cents: Cents;
  label?: string;
}

export type FundingAlert =
  | { kind: "commissaire_aux_comptes"; totalCents: Cents; thresholdCents: Cents; /** What the total adds up, e.g. "CPAM (ACI) 140 000,00 € + ARS (FIR) 24 000,00 €". */ basis: string; label: string }
  | { kind: "convention_ecrite"; funder: string; cents: Cents; thresholdCents: Cents; label: string };

export function publicFundingAlerts(yearSubsidies: readonly Subsidy[], settings: RulesSettings = DEFAULT_SETTINGS): FundingAlert[] {
  const { auditorCents, writtenAgreementCents } = settings.thresholds;
  const alerts: FundingAlert[] = [];
  const total = sumCents(yearSubsidies.map((s) => s.cents));
  if (total > auditorCents) {
    const basis = yearSubsidies.filter((s) => s.cents !== 0).map((s) => `${s.funder} ${formatEuros(s.cents)}`).join(" + ");
    alerts.push({
      kind: "commissaire_aux_comptes",
      totalCents: total,
      thresholdCents: auditorCents,
      basis,
      label:
        `Financements publics de l'année : ${formatEuros(total)} (${basis}), supérieur à ${formatEuros(auditorCents)} : ` +
        "les comptes doivent être certifiés par un commissaire aux comptes (seuil du guide régional, lu comme le total ACI + FIR de l'année).",
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
