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
import { MISSIONS, SOCLE_MISSION_IDS, type MissionId } from "./aci-tables.ts";
import { addDays, addMonths, addMonthsToDayNumber, compareDates, daysBetween, formatDateFr, fromDayNumber, toDayNumber, yearOf, type IsoDate } from "./dates.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "./settings.ts";
import { contractEndDate, crisisPlanDueDate, latestDeployDate, latestStartDate, type MissionContract } from "./funding.ts";

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

/** Deadlines under construction, with what every item of one `deadlines` call shares. */
interface DeadlineList {
  items: Deadline[];
  /** Day number of each item's due date (parallel to `items`), for the sort. */
  days: number[];
  done: ReadonlySet<string>;
  atDay: number;
  imminentDays: number;
  /** Alert leads, distinct, largest first. */
  leads: number[];
}

/** Adds an item with its alert dates and its state at `at` (see alertDatesFor and deadlineState). */
function addDeadline(
  list: DeadlineList,
  key: string,
  kind: DeadlineKind,
  label: string,
  mission: MissionId | undefined,
  ownerRole: OwnerRole,
  dueDay: number,
  dueDate: IsoDate,
  doneFact: boolean,
): void {
  const alertDates: IsoDate[] = [];
  for (const lead of list.leads) alertDates.push(fromDayNumber(dueDay - lead));
  const daysLeft = dueDay - list.atDay;
  const state: DeadlineState = doneFact || list.done.has(key) ? "fait" : daysLeft < 0 ? "en_retard" : daysLeft <= list.imminentDays ? "imminent" : "a_venir";
  list.items.push(
    mission === undefined
      ? { key, kind, label, ownerRole, dueDate, alertDates, state }
      : { key, kind, label, mission, ownerRole, dueDate, alertDates, state },
  );
  list.days.push(dueDay);
}

function addDeadlineOn(list: DeadlineList, key: string, kind: DeadlineKind, label: string, mission: MissionId | undefined, ownerRole: OwnerRole, dueDay: number, doneFact = false): void {
  addDeadline(list, key, kind, label, mission, ownerRole, dueDay, fromDayNumber(dueDay), doneFact);
}

function addDeadlineDated(list: DeadlineList, key: string, kind: DeadlineKind, label: string, mission: MissionId | undefined, ownerRole: OwnerRole, dueDate: IsoDate, doneFact = false): void {
  addDeadline(list, key, kind, label, mission, ownerRole, toDayNumber(dueDate), dueDate, doneFact);
}

function missionContract(input: DeadlineInput, id: MissionId): MissionContract | undefined {
  const contracts: MissionContract[] = input.missions ?? SOCLE_MISSION_IDS.map((m) => ({ id: m }));
  const contract = contracts.find((m) => m.id === id);
  return contract && contract.contracted !== false ? contract : undefined;
}

const onOrBefore = (date: IsoDate | undefined, at: IsoDate): boolean => date !== undefined && compareDates(date, at) <= 0;

function contractDeadlines(list: DeadlineList, input: DeadlineInput, signature: IsoDate, endDay: number, at: IsoDate, settings: RulesSettings): void {
  const signatureDay = toDayNumber(signature);
  for (const id of Object.keys(MISSIONS) as MissionId[]) {
    const contract = missionContract(input, id);
    if (!contract) continue;
    const label = MISSIONS[id].label;
    const hasStartDelay = contract.startDueDate !== undefined || settings.missionDelays[id].startMonths !== null;
    if (hasStartDelay) {
      addDeadlineDated(list, `mission_start:${id}`, "mission_start", `Démarrer la mission « ${label} »`, id, "coordonnateur", latestStartDate(signature, contract, settings), onOrBefore(contract.startDate, at));
    }
    if (id === "crise") {
      const planDue = crisisPlanDueDate(signature, settings);
      const firstVersion = input.crisisPlan?.firstVersionDate;
      addDeadlineDated(list, "crisis_plan:first", "crisis_plan", "Rédiger la première version du plan de gestion de crise", id, "coordonnateur", planDue, onOrBefore(firstVersion, at));
      const baseDay = toDayNumber(firstVersion ?? planDue);
      const updatesDone = (input.crisisPlan?.updateDates ?? []).filter((d) => onOrBefore(d, at)).length;
      for (let n = 1, due = addMonthsToDayNumber(baseDay, 12); due <= endDay; n++, due = addMonthsToDayNumber(baseDay, 12 * n)) {
        addDeadlineOn(list, `crisis_plan_update:${n}`, "crisis_plan_update", `Mettre à jour le plan de gestion de crise (mise à jour n° ${n})`, id, "coordonnateur", due, updatesDone >= n);
      }
      continue;
    }
    const deployDue = latestDeployDate(signature, contract, settings);
    if (deployDue) {
      addDeadlineDated(list, `mission_deploy:${id}`, "mission_deploy", `Déployer la mission « ${label} »`, id, "coordonnateur", deployDue, onOrBefore(contract.deployedDate, at));
    }
  }

  for (let k = 1; k <= settings.contractYears; k++) {
    const dialogue = addMonthsToDayNumber(signatureDay, 12 * k);
    addDeadlineOn(list, `indicators:${k}`, "indicators", `Préparer les indicateurs de l'année ${k} avant le dialogue de gestion`, undefined, "coordonnateur", dialogue - settings.indicatorsLeadDays);
    addDeadlineOn(list, `dialogue:${k}`, "dialogue", `Dialogue de gestion de l'année ${k} (anniversaire de l'ACI)`, undefined, "bureau", dialogue);
    addDeadlineOn(list, `cpam_payment:${k}`, "cpam_payment", `Vérifier le versement CPAM après le dialogue de gestion de l'année ${k}`, undefined, "tresorier", addMonthsToDayNumber(dialogue, settings.paymentDelayMonths));
  }
  addDeadlineOn(list, "renewal_prep", "renewal_prep", "Préparer le renouvellement de l'ACI", undefined, "bureau", addMonthsToDayNumber(endDay, -settings.renewalPrepMonths));
  addDeadlineOn(list, "contract_end", "contract_end", `Fin de l'ACI signé le ${formatDateFr(signature)}`, undefined, "bureau", endDay);
}

function associationDeadlines(list: DeadlineList, input: DeadlineInput, endDay: number | null, at: IsoDate, settings: RulesSettings): void {
  const atYear = yearOf(at);
  const firstYear = Math.min(atYear, input.signatureDate ? yearOf(input.signatureDate) : atYear);
  const lastYear = Math.max(atYear, endDay !== null ? yearOf(fromDayNumber(endDay)) : atYear);
  const agHeld = new Set<number>();
  for (const d of input.agDates ?? []) if (onOrBefore(d, at)) agHeld.add(yearOf(d));
  for (let y = firstYear; y <= lastYear; y++) {
    const label = `Tenir l'assemblée générale ${y} (rapport d'activité, comptes, budget prévisionnel)`;
    addDeadlineDated(list, `ag:${y}`, "ag", label, undefined, "bureau", `${y}-${settings.agDueMonthDay}`, agHeld.has(y));
  }
  for (const change of input.governanceChanges ?? []) {
    const label = `Déclarer au greffe des associations le changement du ${formatDateFr(change)}`;
    addDeadlineDated(list, `governance:${change}`, "governance", label, undefined, "secretaire", addMonths(change, settings.governanceDeclarationMonths));
  }
  addDeadlineDated(list, `dues_year:${atYear}`, "dues_year", `Fin de l'année de cotisation ${atYear}`, undefined, "tresorier", `${atYear}-12-31`);
  if (input.missionPrecoceAidDate) {
    const label = "Déposer le projet de santé et signer l'ACI (engagement de la mission précoce)";
    const due = addMonths(input.missionPrecoceAidDate, settings.missionPrecoce.deadlineMonths);
    addDeadlineDated(list, "mission_precoce", "mission_precoce", label, undefined, "bureau", due, onOrBefore(input.signatureDate, at));
  }
  if (input.projetSanteFiledDate) {
    const due = addMonths(input.projetSanteFiledDate, settings.projetSanteValidationMonths);
    addDeadlineDated(list, "projet_sante", "projet_sante", "Réponse de l'ARS et de la CPAM sur le projet de santé", undefined, "coordonnateur", due, onOrBefore(input.projetSanteValidatedDate, at));
  }
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
  const list: DeadlineList = {
    items: [],
    days: [],
    done: new Set(input.done ?? []),
    atDay: toDayNumber(at),
    imminentDays: imminentLeadDays(settings),
    leads: [...new Set(settings.alertLeadDays)].sort((a, b) => b - a),
  };
  const endDay = input.signatureDate ? toDayNumber(contractEndDate(input.signatureDate, settings)) : null;
  if (input.signatureDate) contractDeadlines(list, input, input.signatureDate, endDay!, at, settings);
  associationDeadlines(list, input, endDay, at, settings);
  const { items, days } = list;
  const order = items.map((_, i) => i);
  order.sort((i, j) => days[i]! - days[j]! || items[i]!.key.localeCompare(items[j]!.key));
  return order.map((i) => items[i]!);
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
