import { describe, it, expect } from "vitest";
import { slotsBetween } from "../../src/scheduler/scheduler.ts";
import { jobs } from "../../jobs/index.ts";
import cron from "node-cron";

describe("créneaux des tâches planifiées (Europe/Paris)", () => {
  it("un créneau quotidien à 9 h reste à 9 h heure de Paris au passage à l'heure d'été", () => {
    const slots = slotsBetween("0 9 * * *", new Date("2026-03-27T12:00:00Z"), new Date("2026-03-31T00:00:00Z"));
    expect(slots.map((s) => s.toISOString())).toEqual([
      "2026-03-28T08:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
    ]);
  });

  it("les bornes sont [début, fin) à la minute", () => {
    const slots = slotsBetween("*/10 * * * *", new Date("2026-01-01T10:00:00Z"), new Date("2026-01-01T10:30:00Z"));
    expect(slots.map((s) => s.toISOString().slice(11, 16))).toEqual(["10:00", "10:10", "10:20"]);
  });

  it("chaque tâche a un identifiant unique, une expression cron valide et une description en français", async () => {
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
    expect(jobs.map((j) => j.id).sort()).toEqual(["aci-deadline-alerts", "crisis-plan-refresh", "crisis-reminders", "database-backup", "dues-reminders", "housekeeping", "newsletter-sends", "vote-purge"]);
    for (const j of jobs) {
      expect(cron.validate(j.cron), j.id).toBe(true);
      expect(j.description).toMatch(/[a-zé]/);
      // the registry entry is lazy: its definition, loaded, is the same job
      const def = await j.load!();
      expect({ id: def.id, description: def.description, cron: def.cron, catchUp: def.catchUp }).toEqual({ id: j.id, description: j.description, cron: j.cron, catchUp: j.catchUp });
      expect(def.payload.safeParse(undefined).success).toBe(true);
    }
  });
});
