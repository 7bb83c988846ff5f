/**
 * Which deadline alerts are owed on `at`, given the alerts already recorded (like the dues ledger).
 *
 * `alertsOn` answers "is today an alert day?", so a day the scheduler missed is an alert lost for good.
 * Here each deadline has alert SLOTS: its lead dates (90, 30, 7, 0 days before by default) and, once
 * late, every `overdueRepeatDays` days after the due date. On `at` the owed slot is the LATEST slot on
 * or before `at`; it is due when it is not recorded yet. Older missed slots are not replayed (one alert
 * tells the current state), and a recorded slot is never sent twice.
 */
import { addDays, compareDates, daysBetween, type IsoDate } from "./dates.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "./settings.ts";
import type { Deadline } from "./deadlines.ts";

export interface SentDeadlineAlert {
  key: string;
  /** The slot date the alert was sent for. */
  alertOn: IsoDate;
}

export interface DueDeadlineAlert {
  deadline: Deadline;
  /** The slot this alert stands for: record it (unique per key and slot). */
  alertOn: IsoDate;
  /** Days from `at` to the due date (negative: days overdue). */
  daysLeft: number;
  /** Late: the CA is told too. */
  escalated: boolean;
}

/** The latest alert slot of `deadline` on or before `at`, or null when the first one is still ahead. */
export function latestAlertSlot(deadline: Pick<Deadline, "dueDate" | "alertDates">, at: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate | null {
  const overdue = -daysBetween(at, deadline.dueDate);
  if (
    settings.overdueRepeatDays > 0 &&
    overdue >= settings.overdueRepeatDays &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, implied by `overdue >= overdueRepeatDays > 0` (kept for reading)
    overdue > 0
  ) {
    return addDays(deadline.dueDate, overdue - (overdue % settings.overdueRepeatDays));
  }
  const past = deadline.alertDates.filter((d) => compareDates(d, at) <= 0).sort(compareDates);
  return past.length ? past[past.length - 1]! : null;
}

/** For each deadline not done: its latest slot on or before `at` when not yet in `sent`. */
export function alertsDue(
  list: readonly Deadline[],
  sent: readonly SentDeadlineAlert[],
  at: IsoDate,
  settings: RulesSettings = DEFAULT_SETTINGS,
): DueDeadlineAlert[] {
  const recorded = new Set(sent.map((s) => `${s.key}\n${s.alertOn}`));
  return list.flatMap((deadline) => {
    if (deadline.state === "fait") return [];
    const slot = latestAlertSlot(deadline, at, settings);
    if (slot === null || recorded.has(`${deadline.key}\n${slot}`)) return [];
    const daysLeft = daysBetween(at, deadline.dueDate);
    return [{ deadline, alertOn: slot, daysLeft, escalated: daysLeft < 0 }];
  });
}
