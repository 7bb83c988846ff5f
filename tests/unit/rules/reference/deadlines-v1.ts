// Reference: src/rules/deadlines.ts as it was before the day-number rewrite (commit aaa7422), kept verbatim
// (imports aside) so that tests/unit/rules/rules-equivalence.test.ts proves the rewrite gives the same results.
/**
 * Dated obligations of a CPTS (DOMAIN §5, §5b) and their alert dates.
 *
 * Choices where DOMAIN is silent:
 * - State: "fait" when the key is in `done` (or the fact is recorded, e.g. a mission start date
 *   on or before `at`); "en_retard" after the due date; "imminent" when the due date is within the
 *   smallest non-zero alert lead (7 days by default) or today; otherwise "a_venir".
 * - Indicators must be ready `indicatorsLeadDays` (30) before each dialogue de gestion.
 * - Renewal preparation is due `renewalPrepMonths` (6) before the contract's last day.
 * - The crisis plan update is due each anniversary of the first version (or of its due date
 *   while it is not written), up to the contract's end.
 * - AG deadlines are listed for each calendar year from the signature's (or `at`'s) year to the
 *   contract's last year; the dues deadline for the year of `at`.
 * - Overdue items keep alerting every `overdueRepeatDays` (7) days until done (see alertsOn).
 */
import { MISSIONS, SOCLE_MISSION_IDS, type MissionId } from "../../../../src/rules/aci-tables.ts";
import { addDays, addMonths, addYears, compareDates, daysBetween, formatDateFr, yearOf, type IsoDate } from "../../../../src/rules/dates.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "../../../../src/rules/settings.ts";
import { contractEndDate, crisisPlanDueDate, latestDeployDate, latestStartDate, type MissionContract } from "./funding-v1.ts";

export type OwnerRole = "coordonnateur" | "bureau" | "tresorier" | "secretaire" | "president";
export type DeadlineState = "a_venir" | "imminent" | "en_retard" | "fait";
export type DeadlineKind =
  | "mission_start"
  | "mission_deploy"
  | "crisis_plan"
  | "crisis_plan_update"
  | "indicators"
  | "dialogue"
  | "cpam_payment"
  | "renewal_prep"
  | "contract_end"
  | "ag"
  | "governance"
  | "dues_year"
  | "mission_precoce"
  | "projet_sante";

export interface Deadline {
  /** Stable id, e.g. "mission_start:acces_soins", "dialogue:2", "ag:2025". */
  key: string;
  kind: DeadlineKind;
  label: string;
  mission?: MissionId;
  ownerRole: OwnerRole;
  dueDate: IsoDate;
  alertDates: IsoDate[];
  state: DeadlineState;
}

export interface DeadlineInput {
  /** Without a signature (CPTS before its ACI) only the non-contract items are listed. */
  signatureDate?: IsoDate;
  missions?: MissionContract[];
  crisisPlan?: { firstVersionDate?: IsoDate; updateDates?: IsoDate[] };
  /** Dates of AG held (marks that calendar year's AG done). */
  agDates?: IsoDate[];
  /** Dates of governance changes (board, address) to declare to the greffe. */
  governanceChanges?: IsoDate[];
  missionPrecoceAidDate?: IsoDate;
  projetSanteFiledDate?: IsoDate;
  projetSanteValidatedDate?: IsoDate;
  /** Keys marked done by the users. */
  done?: string[];
}

export const OWNER_ROLE_LABELS: Record<OwnerRole, string> = {
  coordonnateur: "coordonnateur",
  bureau: "bureau",
  tresorier: "trésorier",
  secretaire: "secrétaire",
  president: "président",
};

export const DEADLINE_KIND_LABELS: Record<DeadlineKind, string> = {
  mission_start: "Démarrage de mission",
  mission_deploy: "Déploiement de mission",
  crisis_plan: "Plan de gestion de crise",
  crisis_plan_update: "Mise à jour du plan de crise",
  indicators: "Indicateurs",
  dialogue: "Dialogue de gestion",
  cpam_payment: "Versement CPAM",
  renewal_prep: "Renouvellement de l'ACI",
  contract_end: "Fin de l'ACI",
  ag: "Assemblée générale",
  governance: "Déclaration au greffe",
  dues_year: "Cotisations",
  mission_precoce: "Mission précoce",
  projet_sante: "Projet de santé",
};

type Draft = Omit<Deadline, "alertDates" | "state"> & { doneFact?: boolean };

function missionContract(input: DeadlineInput, id: MissionId): MissionContract | undefined {
  const contracts: MissionContract[] = input.missions ?? SOCLE_MISSION_IDS.map((m) => ({ id: m }));
  const contract = contracts.find((m) => m.id === id);
  return contract && contract.contracted !== false ? contract : undefined;
}

const onOrBefore = (date: IsoDate | undefined, at: IsoDate): boolean => date !== undefined && compareDates(date, at) <= 0;

function contractDrafts(input: DeadlineInput, signature: IsoDate, at: IsoDate, settings: RulesSettings): Draft[] {
  const drafts: Draft[] = [];
  const end = contractEndDate(signature, settings);
  for (const id of Object.keys(MISSIONS) as MissionId[]) {
    const contract = missionContract(input, id);
    if (!contract) continue;
    const label = MISSIONS[id].label;
    const hasStartDelay = contract.startDueDate !== undefined || settings.missionDelays[id].startMonths !== null;
    if (hasStartDelay) {
      drafts.push({
        key: `mission_start:${id}`,
        kind: "mission_start",
        label: `Démarrer la mission « ${label} »`,
        mission: id,
        ownerRole: "coordonnateur",
        dueDate: latestStartDate(signature, contract, settings),
        doneFact: onOrBefore(contract.startDate, at),
      });
    }
    if (id === "crise") {
      const planDue = crisisPlanDueDate(signature, settings);
      const firstVersion = input.crisisPlan?.firstVersionDate;
      drafts.push({
        key: "crisis_plan:first",
        kind: "crisis_plan",
        label: "Rédiger la première version du plan de gestion de crise",
        mission: id,
        ownerRole: "coordonnateur",
        dueDate: planDue,
        doneFact: onOrBefore(firstVersion, at),
      });
      const base = firstVersion ?? planDue;
      const updatesDone = (input.crisisPlan?.updateDates ?? []).filter((d) => onOrBefore(d, at)).length;
      for (let n = 1; compareDates(addYears(base, n), end) <= 0; n++) {
        drafts.push({
          key: `crisis_plan_update:${n}`,
          kind: "crisis_plan_update",
          label: `Mettre à jour le plan de gestion de crise (mise à jour n° ${n})`,
          mission: id,
          ownerRole: "coordonnateur",
          dueDate: addYears(base, n),
          doneFact: updatesDone >= n,
        });
      }
      continue;
    }
    const deployDue = latestDeployDate(signature, contract, settings);
    if (deployDue) {
      drafts.push({
        key: `mission_deploy:${id}`,
        kind: "mission_deploy",
        label: `Déployer la mission « ${label} »`,
        mission: id,
        ownerRole: "coordonnateur",
        dueDate: deployDue,
        doneFact: onOrBefore(contract.deployedDate, at),
      });
    }
  }

  for (let k = 1; k <= settings.contractYears; k++) {
    const dialogue = addMonths(signature, 12 * k);
    drafts.push({
      key: `indicators:${k}`,
      kind: "indicators",
      label: `Préparer les indicateurs de l'année ${k} avant le dialogue de gestion`,
      ownerRole: "coordonnateur",
      dueDate: addDays(dialogue, -settings.indicatorsLeadDays),
    });
    drafts.push({
      key: `dialogue:${k}`,
      kind: "dialogue",
      label: `Dialogue de gestion de l'année ${k} (anniversaire de l'ACI)`,
      ownerRole: "bureau",
      dueDate: dialogue,
    });
    drafts.push({
      key: `cpam_payment:${k}`,
      kind: "cpam_payment",
      label: `Vérifier le versement CPAM après le dialogue de gestion de l'année ${k}`,
      ownerRole: "tresorier",
      dueDate: addMonths(dialogue, settings.paymentDelayMonths),
    });
  }
  drafts.push({
    key: "renewal_prep",
    kind: "renewal_prep",
    label: "Préparer le renouvellement de l'ACI",
    ownerRole: "bureau",
    dueDate: addMonths(end, -settings.renewalPrepMonths),
  });
  drafts.push({
    key: "contract_end",
    kind: "contract_end",
    label: `Fin de l'ACI signé le ${formatDateFr(signature)}`,
    ownerRole: "bureau",
    dueDate: end,
  });
  return drafts;
}

function associationDrafts(input: DeadlineInput, at: IsoDate, settings: RulesSettings): Draft[] {
  const drafts: Draft[] = [];
  const firstYear = Math.min(yearOf(at), input.signatureDate ? yearOf(input.signatureDate) : yearOf(at));
  const lastYear = Math.max(yearOf(at), input.signatureDate ? yearOf(contractEndDate(input.signatureDate, settings)) : yearOf(at));
  for (let y = firstYear; y <= lastYear; y++) {
    drafts.push({
      key: `ag:${y}`,
      kind: "ag",
      label: `Tenir l'assemblée générale ${y} (rapport d'activité, comptes, budget prévisionnel)`,
      ownerRole: "bureau",
      dueDate: `${y}-${settings.agDueMonthDay}`,
      doneFact: (input.agDates ?? []).some((d) => yearOf(d) === y && onOrBefore(d, at)),
    });
  }
  for (const change of input.governanceChanges ?? []) {
    drafts.push({
      key: `governance:${change}`,
      kind: "governance",
      label: `Déclarer au greffe des associations le changement du ${formatDateFr(change)}`,
      ownerRole: "secretaire",
      dueDate: addMonths(change, settings.governanceDeclarationMonths),
    });
  }
  const duesYear = yearOf(at);
  drafts.push({
    key: `dues_year:${duesYear}`,
    kind: "dues_year",
    label: `Fin de l'année de cotisation ${duesYear}`,
    ownerRole: "tresorier",
    dueDate: `${duesYear}-12-31`,
  });
  if (input.missionPrecoceAidDate) {
    drafts.push({
      key: "mission_precoce",
      kind: "mission_precoce",
      label: "Déposer le projet de santé et signer l'ACI (engagement de la mission précoce)",
      ownerRole: "bureau",
      dueDate: addMonths(input.missionPrecoceAidDate, settings.missionPrecoce.deadlineMonths),
      doneFact: onOrBefore(input.signatureDate, at),
    });
  }
  if (input.projetSanteFiledDate) {
    drafts.push({
      key: "projet_sante",
      kind: "projet_sante",
      label: "Réponse de l'ARS et de la CPAM sur le projet de santé",
      ownerRole: "coordonnateur",
      dueDate: addMonths(input.projetSanteFiledDate, settings.projetSanteValidationMonths),
      doneFact: onOrBefore(input.projetSanteValidatedDate, at),
    });
  }
  return drafts;
}

export function imminentLeadDays(settings: RulesSettings = DEFAULT_SETTINGS): number {
  const nonZero = settings.alertLeadDays.filter((d) => d > 0);
  return nonZero.length ? Math.min(...nonZero) : 0;
}

export function deadlineState(dueDate: IsoDate, done: boolean, at: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): DeadlineState {
  if (done) return "fait";
  const daysLeft = daysBetween(at, dueDate);
  if (daysLeft < 0) return "en_retard";
  if (daysLeft <= imminentLeadDays(settings)) return "imminent";
  return "a_venir";
}

export function alertDatesFor(dueDate: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate[] {
  return [...new Set(settings.alertLeadDays)].sort((a, b) => b - a).map((lead) => addDays(dueDate, -lead));
}

/** Every deadline of the CPTS, sorted by due date, with its state at `at`. */
export function deadlines(input: DeadlineInput, at: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): Deadline[] {
  const done = new Set(input.done ?? []);
  const drafts = [...(input.signatureDate ? contractDrafts(input, input.signatureDate, at, settings) : []), ...associationDrafts(input, at, settings)];
  return drafts
    .map(({ doneFact, ...draft }) => ({
      ...draft,
      alertDates: alertDatesFor(draft.dueDate, settings),
      state: deadlineState(draft.dueDate, doneFact === true || done.has(draft.key), at, settings),
    }))
    .sort((a, b) => compareDates(a.dueDate, b.dueDate) || a.key.localeCompare(b.key));
}

export interface DeadlineAlert {
  deadline: Deadline;
  /** Days before the due date (negative: days overdue). */
  daysLeft: number;
}

/** Alerts to send on `at`: deadlines with an alert date that day, and overdue ones every overdueRepeatDays. */
export function alertsOn(list: readonly Deadline[], at: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): DeadlineAlert[] {
  return list.flatMap((deadline) => {
    if (deadline.state === "fait") return [];
    const daysLeft = daysBetween(at, deadline.dueDate);
    const scheduled = deadline.alertDates.includes(at);
    const overdueRepeat = daysLeft < 0 && settings.overdueRepeatDays > 0 && -daysLeft % settings.overdueRepeatDays === 0;
    return scheduled || overdueRepeat ? [{ deadline, daysLeft }] : [];
  });
}
