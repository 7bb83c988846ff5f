// A CPTS whose N members all owe their dues on the day of the test: a `coordo job run dues-reminders --at DAY`
// sends N reminders. Members are written in bulk (a 1,500-member world in well under a second).
import type { Db } from "../../src/db/client.ts";
import { secretToken } from "../../src/db/secret-token.ts";

export const REMINDER_DAY = "2026-03-02";

export interface RemindersWorld {
  cptsId: string;
  slug: string;
  coordinatorEmail: string;
  members: { id: string; email: string }[];
}

export async function seedRemindersWorld(db: Db, slug: string, count: number): Promise<RemindersWorld> {
  const cpts = await db.cpts.create({
    data: {
      slug, name: `CPTS ${slug}`, population: 50_000, alertChannelId: "console:alertes",
      icalToken: secretToken(), helloassoToken: secretToken(),
      reminderPolicy: { create: { offsetsDays: "15,45,90", maxCount: 3 } },
      duesRates: { create: [{ year: 2026, category: "PROFESSIONNEL", amountCents: 3000 }] },
      workspaces: { create: { platform: "CONSOLE", externalId: `console-${slug}`, name: "Console", alertChannelId: "alertes" } },
    },
  });
  const coordinatorEmail = `coordination@${slug}.fr`;
  await db.member.create({ data: { cptsId: cpts.id, firstName: "Camille", lastName: "Coordination", email: coordinatorEmail, duesExempt: true, roles: { create: [{ role: "COORDONNATEUR" }] } } });
  const ids = Array.from({ length: count }, (_, i) => `m-${slug}-${String(i).padStart(5, "0")}`);
  for (let i = 0; i < count; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.member.createMany({
      data: chunk.map((id, j) => ({
        id, cptsId: cpts.id, firstName: "Adhérent", lastName: `N${i + j}`, email: `adherent${i + j}@${slug}.fr`, joinedOn: "2024-01-10",
        unsubscribeToken: secretToken(),
      })),
    });
    await db.memberRole.createMany({ data: chunk.map((memberId) => ({ memberId, role: "ADHERENT" as const })) });
  }
  return { cptsId: cpts.id, slug, coordinatorEmail, members: ids.map((id, i) => ({ id, email: `adherent${i}@${slug}.fr` })) };
}
