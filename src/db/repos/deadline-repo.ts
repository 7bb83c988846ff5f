// Deadline done marks and the alert ledger (one DeadlineAlert row per CPTS, key and alert day).
import type { Db, Tx } from "../client.ts";

export async function markDone(db: Db, cptsId: string, key: string, doneOn: string, doneBy: string, note?: string): Promise<void> {
  await db.deadlineState.upsert({
    where: { cptsId_key: { cptsId, key } },
    create: { cptsId, key, doneOn, doneBy, note: note ?? null },
    update: { doneOn, doneBy, ...(note !== undefined ? { note } : {}) },
  });
}

export async function unmarkDone(db: Db, cptsId: string, key: string): Promise<void> {
  await db.deadlineState.updateMany({ where: { cptsId, key }, data: { doneOn: null, doneBy: null } });
}

/** Alert slots already recorded for these deadline keys (the ledger `alertsDue` reads). */
export async function alertsSent(tx: Tx | Db, cptsId: string, keys: string[]): Promise<{ key: string; alertOn: string }[]> {
  if (keys.length === 0) return [];
  return tx.deadlineAlert.findMany({ where: { cptsId, key: { in: keys } }, select: { key: true, alertOn: true } });
}

export async function recordAlerts(tx: Tx, rows: { cptsId: string; key: string; alertOn: string; level: string }[]): Promise<void> {
  if (rows.length) await tx.deadlineAlert.createMany({ data: rows });
}

export interface AlertAudience {
  cpts: { id: string; name: string; alertChannelId: string | null };
  /** Coordinator(s) and bureau members who accept alerts; `escalation` adds the CA when late. */
  recipients: { id: string; email: string; unsubscribeToken: string; board: "coordonnateur" | "bureau" | "ca" }[];
  channels: { platform: string; workspace: string; channel: string }[];
}

export async function alertAudience(db: Db | Tx, cptsId: string): Promise<AlertAudience | null> {
  const cpts = await db.cpts.findUnique({ where: { id: cptsId }, include: { workspaces: true } });
  if (!cpts) return null;
  const members = await db.member.findMany({
    where: { cptsId, status: "ACTIF", email: { not: null }, emailInvalid: false, prefAlerts: true, roles: { some: { role: { in: ["COORDONNATEUR", "BUREAU", "CA"] } } } },
    include: { roles: true },
    orderBy: { id: "asc" },
  });
  const channels: AlertAudience["channels"] = [];
  for (const w of cpts.workspaces) {
    const channel = w.alertChannelId ?? cpts.alertChannelId?.split(":").pop();
    if (channel) channels.push({ platform: w.platform.toLowerCase(), workspace: w.externalId, channel });
  }
  return {
    cpts: { id: cpts.id, name: cpts.name, alertChannelId: cpts.alertChannelId },
    recipients: members.map((m) => ({
      id: m.id,
      email: m.email!,
      unsubscribeToken: m.unsubscribeToken,
      board: m.roles.some((r) => r.role === "COORDONNATEUR") ? "coordonnateur" : m.roles.some((r) => r.role === "BUREAU") ? "bureau" : "ca",
    })),
    channels,
  };
}

export async function allCptsIds(db: Db): Promise<{ id: string; slug: string }[]> {
  return db.cpts.findMany({ select: { id: true, slug: true }, orderBy: { slug: "asc" } });
}
