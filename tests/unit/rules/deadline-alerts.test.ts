import { describe, expect, it } from "vitest";
import { addDays, alertDatesFor, deadlineState, DEFAULT_SETTINGS, type Deadline, type RulesSettings } from "../../../src/rules/index.ts";
import { alertsDue, latestAlertSlot, type SentDeadlineAlert } from "../../../src/rules/deadline-alerts.ts";

const DUE = "2026-06-30";

function deadlineAt(at: string, done = false, settings: RulesSettings = DEFAULT_SETTINGS): Deadline {
  return {
    key: "ag:2026",
    kind: "ag",
    label: "Tenir l'assemblée générale 2026",
    ownerRole: "bureau",
    dueDate: DUE,
    alertDates: alertDatesFor(DUE, settings),
    state: deadlineState(DUE, done, at, settings),
  };
}

/** Runs the job on each of `runDays` (the scheduler being down the other days), recording what it sends. */
function simulate(runDays: string[], settings: RulesSettings = DEFAULT_SETTINGS) {
  const sent: SentDeadlineAlert[] = [];
  const log: { run: string; alertOn: string; daysLeft: number; escalated: boolean }[] = [];
  for (const run of runDays) {
    for (const a of alertsDue([deadlineAt(run, false, settings)], sent, run, settings)) {
      sent.push({ key: a.deadline.key, alertOn: a.alertOn });
      log.push({ run, alertOn: a.alertOn, daysLeft: a.daysLeft, escalated: a.escalated });
    }
  }
  return log;
}

const everyDay = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
};

describe("alertes d'échéance dues (rattrapage des jours manqués)", () => {
  it.each([
    // [cas, jours d'exécution, alertes attendues (jour d'exécution → créneau)]
    ["chaque jour : une alerte par créneau, à son jour", everyDay("2026-03-01", "2026-06-30"), [
      ["2026-04-01", "2026-04-01"], ["2026-05-31", "2026-05-31"], ["2026-06-23", "2026-06-23"], ["2026-06-30", "2026-06-30"],
    ]],
    ["ordonnanceur arrêté le jour J-30 : l'alerte part à l'exécution suivante", ["2026-04-01", "2026-05-30", "2026-06-01", "2026-06-02"], [
      ["2026-04-01", "2026-04-01"], ["2026-06-01", "2026-05-31"],
    ]],
    ["plusieurs créneaux manqués : seule l'alerte la plus récente part", ["2026-03-01", "2026-06-25"], [
      ["2026-06-25", "2026-06-23"],
    ]],
    ["avant le premier créneau : rien", ["2026-03-01", "2026-03-31"], []],
    ["en retard : rappel tous les 7 jours après l'échéance", everyDay("2026-06-30", "2026-07-21"), [
      ["2026-06-30", "2026-06-30"], ["2026-07-07", "2026-07-07"], ["2026-07-14", "2026-07-14"], ["2026-07-21", "2026-07-21"],
    ]],
    ["en retard et ordonnanceur arrêté : le rappel manqué part le lendemain", ["2026-07-06", "2026-07-08", "2026-07-09"], [
      ["2026-07-06", "2026-06-30"], ["2026-07-08", "2026-07-07"],
    ]],
  ])("%s", (_label, runs, expected) => {
    expect(simulate(runs as string[]).map((l) => [l.run, l.alertOn])).toEqual(expected);
  });

  it("n'envoie jamais deux alertes pour un même créneau, même lancé plusieurs fois par jour", () => {
    const runs = everyDay("2026-03-01", "2026-09-30").flatMap((d) => [d, d, d]);
    const log = simulate(runs);
    const slots = log.map((l) => l.alertOn);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.length).toBe(4 + 13); // 4 lead dates, then every 7 days from 7 July to 29 September
  });

  it("une échéance faite n'a plus d'alerte, même avec des créneaux en attente", () => {
    const at = "2026-07-10";
    expect(alertsDue([deadlineAt(at, true)], [], at)).toEqual([]);
    expect(alertsDue([deadlineAt(at, false)], [], at)).toHaveLength(1);
  });

  it.each([
    ["2026-06-29", 1, false],
    ["2026-06-30", 0, false],
    ["2026-07-01", -1, true],
    ["2026-07-15", -15, true],
  ])("le %s : %i jour(s) restant(s), escalade au CA = %s", (at, daysLeft, escalated) => {
    const [alert] = alertsDue([deadlineAt(at)], [], at);
    expect(alert!.daysLeft).toBe(daysLeft);
    expect(alert!.escalated).toBe(escalated);
  });

  it.each([
    ["2026-03-31", null],
    ["2026-04-01", "2026-04-01"],
    ["2026-05-30", "2026-04-01"],
    ["2026-07-06", "2026-06-30"],
    ["2026-07-07", "2026-07-07"],
    ["2026-07-13", "2026-07-07"],
  ])("le créneau le plus récent au %s est %s", (at, slot) => {
    expect(latestAlertSlot(deadlineAt(at), at)).toBe(slot);
  });

  it("suit les réglages de la CPTS : délais et cadence de retard", () => {
    const settings: RulesSettings = { ...DEFAULT_SETTINGS, alertLeadDays: [15], overdueRepeatDays: 3 };
    expect(simulate(everyDay("2026-06-01", "2026-07-06"), settings).map((l) => l.alertOn)).toEqual([
      "2026-06-15", "2026-07-03", "2026-07-06",
    ]);
    const noRepeat: RulesSettings = { ...DEFAULT_SETTINGS, overdueRepeatDays: 0 };
    expect(simulate(everyDay("2026-06-25", "2026-08-31"), noRepeat).map((l) => l.alertOn)).toEqual(["2026-06-23", "2026-06-30"]);
  });
});

describe("latestAlertSlot : dates d'alerte données dans le désordre", () => {
  it.each([
    ["2025-06-20", "2025-06-15"],
    ["2025-06-14", "2025-06-01"],
    ["2025-05-31", null],
  ])("le %s, le dernier créneau passé est %s", (at, slot) => {
    const deadline = { dueDate: "2025-06-30", alertDates: ["2025-06-15", "2025-06-29", "2025-06-01"] };
    expect(latestAlertSlot(deadline, at)).toBe(slot);
  });
});

describe("latestAlertSlot : relance quotidienne d'une échéance dépassée (réglage à 1 jour)", () => {
  it.each([
    ["2025-07-01", "2025-07-01"],
    ["2025-07-03", "2025-07-03"],
  ])("le %s, le créneau est %s", (at, slot) => {
    const daily = { ...DEFAULT_SETTINGS, overdueRepeatDays: 1 };
    expect(latestAlertSlot({ dueDate: "2025-06-30", alertDates: ["2025-06-23", "2025-06-29"] }, at, daily)).toBe(slot);
  });
});
