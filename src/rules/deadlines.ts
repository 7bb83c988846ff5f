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
 * - Termination: effective `terminationNoticeMonths` (2) after the registered letter's date as entered
 *   (receipt for a letter received; for a letter sent, the sending date: the cautious reading); contract
 *   items due after the effective day are dropped (the CPAM payment after a dialogue held before it stays).
 * - Hire (seed 002): declare the association to the URSSAF, open the staff register and the risk
 *   assessment document by the hire date; declare the employee within `hire.employeeDeclarationDays`
 *   (8); contact the pension, training and health/provident bodies within `hire.otherDutiesDays` (30,
 *   DOMAIN is silent: a setting). Each duty is one deadline, done when marked done.
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
  | "projet_sante"
  | "termination"
  | "hire_duty";

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
  /** What changed, per governance change date (labels of the greffe deadlines; dates not in governanceChanges are added). */
  governanceChangeDetails?: { date: IsoDate; what: string }[];
  /** Termination letters of the ACI (registered letter sent by the CPTS or received from the CPAM/ARS). */
  terminations?: { date: IsoDate; direction: "envoyee" | "recue" }[];
  /** Hires of the CPTS (employer duties, seed 002). */
  hires?: { id: string; date: IsoDate; role: string }[];
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
  termination: "Résiliation de l'ACI",
  hire_duty: "Obligations d'employeur",
};

/** Employer duties when the CPTS hires (seed 002, FAQ « J'embauche un coordonnateur… »), in order. */
export const HIRE_DUTIES: readonly { id: string; label: string; delay: "hire" | "declaration" | "other"; ownerRole: OwnerRole }[] = [
  { id: "urssaf_association", label: "Déclarer l'association comme employeur à l'URSSAF", delay: "hire", ownerRole: "president" },
  { id: "urssaf_salarie", label: "Déclarer le salarié à l'URSSAF (dans les 8 jours)", delay: "declaration", ownerRole: "president" },
  { id: "registre_personnel", label: "Ouvrir le registre unique du personnel", delay: "hire", ownerRole: "bureau" },
  { id: "document_unique", label: "Ouvrir le document unique d'évaluation des risques professionnels", delay: "hire", ownerRole: "bureau" },
  { id: "retraite_complementaire", label: "Prendre contact avec une caisse de retraite complémentaire", delay: "other", ownerRole: "tresorier" },
  { id: "formation", label: "Prendre contact avec l'organisme de formation (OPCO, ex-OPCA)", delay: "other", ownerRole: "tresorier" },
  { id: "sante_prevoyance", label: "Prendre contact avec un organisme de complémentaire santé et de prévoyance (facultative)", delay: "other", ownerRole: "tresorier" },
];

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

/** first, first + 1, …, last (empty when last < first): a loop over it always ends, whatever a mutant does to it. */
const range = (first: number, last: number): number[] => Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);

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
      // update n is due in year(base) + n: at most one per calendar year up to the contract's end
      // Stryker disable next-line ArithmeticOperator: a longer range changes nothing, the break below stops at the contract's end
      for (const n of range(1, yearOf(fromDayNumber(endDay)) - yearOf(fromDayNumber(baseDay)))) {
        const due = addMonthsToDayNumber(baseDay, 12 * n);
        if (due > endDay) break;
        addDeadlineOn(list, `crisis_plan_update:${n}`, "crisis_plan_update", `Mettre à jour le plan de gestion de crise (mise à jour n° ${n})`, id, "coordonnateur", due, updatesDone >= n);
      }
      continue;
    }
    const deployDue = latestDeployDate(signature, contract, settings);
    if (deployDue) {
      addDeadlineDated(list, `mission_deploy:${id}`, "mission_deploy", `Déployer la mission « ${label} »`, id, "coordonnateur", deployDue, onOrBefore(contract.deployedDate, at));
    }
  }

  for (const k of range(1, settings.contractYears)) {
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
  // Stryker disable next-line ConditionalExpression: without a contract yearOf(fromDayNumber(null)) is 1970, below atYear
  const lastYear = Math.max(atYear, endDay !== null ? yearOf(fromDayNumber(endDay)) : atYear);
  const agHeld = new Set<number>();
  for (const d of input.agDates ?? []) if (onOrBefore(d, at)) agHeld.add(yearOf(d));
  for (const y of range(firstYear, lastYear)) {
    const label = `Tenir l'assemblée générale ${y} (rapport d'activité, comptes, budget prévisionnel)`;
    addDeadlineDated(list, `ag:${y}`, "ag", label, undefined, "bureau", `${y}-${settings.agDueMonthDay}`, agHeld.has(y));
  }
  const details = input.governanceChangeDetails;
  const changes = details?.length ? [...new Set([...(input.governanceChanges ?? []), ...details.map((d) => d.date)])] : (input.governanceChanges ?? []);
  for (const change of changes) {
    const what = details?.filter((d) => d.date === change).map((d) => d.what).join(" ; ");
    const label = what
      ? `Déclarer au greffe des associations le changement du ${formatDateFr(change)} (${what})`
      : `Déclarer au greffe des associations le changement du ${formatDateFr(change)}`;
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
  for (const hire of input.hires ?? []) {
    for (const duty of HIRE_DUTIES) {
      const days = duty.delay === "hire" ? 0 : duty.delay === "declaration" ? settings.hire.employeeDeclarationDays : settings.hire.otherDutiesDays;
      const label = `${duty.label} — embauche du ${formatDateFr(hire.date)} (${hire.role})`;
      addDeadlineDated(list, `hire:${hire.id}:${duty.id}`, "hire_duty", label, undefined, duty.ownerRole, addDays(hire.date, days));
    }
  }
}

/** Day the ACI ends after a termination letter (earliest letter + notice), or null. */
export function terminationEffectiveDate(input: Pick<DeadlineInput, "terminations">, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate | null {
  const dates = (input.terminations ?? []).map((t) => addMonths(t.date, settings.terminationNoticeMonths)).sort(compareDates);
  return dates[0] ?? null;
}

function terminationDeadlines(list: DeadlineList, input: DeadlineInput, settings: RulesSettings): void {
  // Stryker disable next-line ArrayDeclaration: only called when there is a termination
  for (const t of input.terminations ?? []) {
    const how = t.direction === "envoyee" ? "envoyée" : "reçue";
    const label = `Résiliation de l'ACI effective (lettre recommandée ${how} le ${formatDateFr(t.date)}) : arrêter les dépenses ACI et préparer les comptes de fin de contrat`;
    addDeadlineDated(list, `termination:${t.date}`, "termination", label, undefined, "bureau", addMonths(t.date, settings.terminationNoticeMonths));
  }
}

/** Contract items that no longer apply once the termination is effective (the CPAM payment owed for a past dialogue still does). */
const CONTRACT_KINDS: ReadonlySet<DeadlineKind> = new Set(["mission_start", "mission_deploy", "crisis_plan", "crisis_plan_update", "indicators", "dialogue", "renewal_prep", "contract_end"]);

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
    // Stryker disable next-line ArrayDeclaration: no deadline key is a plain sentence
    done: new Set(input.done ?? []),
    atDay: toDayNumber(at),
    imminentDays: imminentLeadDays(settings),
    leads: [...new Set(settings.alertLeadDays)].sort((a, b) => b - a),
  };
  const endDay = input.signatureDate ? toDayNumber(contractEndDate(input.signatureDate, settings)) : null;
  if (input.signatureDate) contractDeadlines(list, input, input.signatureDate, endDay!, at, settings);
  associationDeadlines(list, input, endDay, at, settings);
  if (input.terminations?.length) {
    terminationDeadlines(list, input, settings);
    const effectiveDay = toDayNumber(terminationEffectiveDate(input, settings)!);
    const keep = list.items.map((d, i) => !(CONTRACT_KINDS.has(d.kind) && list.days[i]! > effectiveDay));
    // the CPAM payment after a dialogue stays only while that dialogue does
    // Stryker disable next-line ConditionalExpression: other kinds' keys cut after "dialogue:" never give a year number
    const dropped = new Set(list.items.filter((d, i) => d.kind === "dialogue" && !keep[i]).map((d) => d.key.slice("dialogue:".length)));
    list.items.forEach((d, i) => {
      if (d.kind === "cpam_payment" && dropped.has(d.key.slice("cpam_payment:".length))) keep[i] = false;
    });
    list.items = list.items.filter((_, i) => keep[i]);
    list.days = list.days.filter((_, i) => keep[i]);
  }
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
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with 0, -daysLeft % 0 is NaN, never 0: no repeat either way
  const repeats = settings.overdueRepeatDays > 0;
  return list.flatMap((deadline) => {
    if (deadline.state === "fait") return [];
    const daysLeft = daysBetween(at, deadline.dueDate);
    const scheduled = deadline.alertDates.includes(at);
    // Stryker disable next-line UnaryOperator: for a negative daysLeft, +daysLeft % n is -0 exactly when -daysLeft % n is 0
    const overdueRepeat = daysLeft < 0 && repeats && -daysLeft % settings.overdueRepeatDays === 0;
    return scheduled || overdueRepeat ? [{ deadline, daysLeft }] : [];
  });
}
