// The SMTP circuit breaker row ("smtp") and the registry of sending processes (lease holders + heartbeat).
import type { Db } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { dateColumn, directRows } from "../direct-read.ts";
import { insertNewRows, type OutboxRowInput } from "./outbox-repo.ts";
import { alertAudience } from "./deadline-repo.ts";
import { parseHolder, deadOnThisHost, type CircuitState, type CircuitStore, type HolderIdentity, type WorkerRegistry } from "../../mail/circuit.ts";
import { formatDateTimeFr } from "../../rules/paris-time.ts";

const ID = "smtp";
const OPEN_MAIL = ["EN_ATTENTE", "ECHEC_TEMPORAIRE", "EN_COURS"] as const;

/**
 * The circuit as every page and /ready show it (closed when the row does not exist yet). Read before every
 * batch of the sender (765 times in a national run): a statement prepared once on SQLite (direct-read.ts).
 */
export async function readCircuit(db: Db): Promise<CircuitState> {
  const [r] = await directRows<{ open: boolean | number; openedAt: Date | string | null; reason: string | null; probes: number; nextProbeAt: Date | string | null }>(
    db,
    Prisma.sql`SELECT "open", "openedAt", "reason", "probes", "nextProbeAt" FROM "MailCircuit" WHERE "id" = ${ID}`,
  );
  return { open: Boolean(r?.open), openedAt: dateColumn(r?.openedAt), reason: r?.reason ?? null, probes: Number(r?.probes ?? 0), nextProbeAt: dateColumn(r?.nextProbeAt) };
}

/** The mail part of /ready: not ok while sending is suspended, with since when, why and the next probe. */
export async function mailReadiness(db: Db): Promise<{ ok: boolean; [detail: string]: unknown }> {
  const c = await readCircuit(db);
  if (!c.open) return { ok: true, etat: "actifs" };
  return { ok: false, etat: "suspendu", depuis: c.openedAt, raison: c.reason, prochainEssai: c.nextProbeAt, essaisEchoues: c.probes };
}

export class MailCircuitRepository implements CircuitStore {
  constructor(private readonly db: Db) {}

  read(): Promise<CircuitState> {
    return readCircuit(this.db);
  }

  async open(reason: string, at: Date, nextProbeAt: Date): Promise<boolean> {
    const data = { open: true, openedAt: at, reason: reason.slice(0, 1000), probes: 0, nextProbeAt, closedAt: null };
    // create-or-open, conditional on being closed: of two processes tripping together, one opens it
    const created = await this.db.mailCircuit.createMany({ data: [{ id: ID, ...data }] }).catch(() => ({ count: 0 }));
    if (created.count === 1) return true;
    const r = await this.db.mailCircuit.updateMany({ where: { id: ID, open: false }, data });
    return r.count === 1;
  }

  async takeProbe(at: Date, force: boolean, nextProbeAt: Date): Promise<boolean> {
    const r = await this.db.mailCircuit.updateMany({
      where: { id: ID, open: true, ...(force ? {} : { OR: [{ nextProbeAt: null }, { nextProbeAt: { lte: at } }] }) },
      data: { nextProbeAt },
    });
    return r.count === 1;
  }

  async probeFailed(reason: string, _at: Date, nextProbeAt: Date): Promise<void> {
    await this.db.mailCircuit.updateMany({ where: { id: ID, open: true }, data: { reason: reason.slice(0, 1000), probes: { increment: 1 }, nextProbeAt } });
  }

  async close(at: Date): Promise<boolean> {
    const r = await this.db.mailCircuit.updateMany({ where: { id: ID, open: true }, data: { open: false, closedAt: at, nextProbeAt: null, probes: 0 } });
    return r.count === 1;
  }

  async alertHeldBack(openedAt: Date, reason: string): Promise<string[]> {
    const held = await this.db.outboxMessage.groupBy({ by: ["cptsId"], where: { channel: "MAIL", state: { in: [...OPEN_MAIL] } }, _count: { _all: true } });
    const rows: OutboxRowInput[] = [];
    for (const h of held) {
      const audience = await alertAudience(this.db, h.cptsId);
      if (!audience) continue;
      const text =
        `⚠️ ${audience.cpts.name} — envois de mails suspendus depuis le ${formatDateTimeFr(openedAt)} : le relais SMTP refuse l'envoi (${reason.slice(0, 200)}). ` +
        `${h._count._all} message(s) sont gardés en file ; aucune adresse d'adhérent n'est mise en cause. ` +
        `Les envois reprendront d'eux-mêmes dès que le relais les accepte à nouveau. Prévenez l'exploitant de coordo si cela dure.`;
      for (const ch of audience.channels) {
        const recipient = `${ch.platform}:${ch.workspace}:${ch.channel}`;
        rows.push({
          cptsId: h.cptsId, idempotencyKey: `envoi_suspendu:${openedAt.getTime()}:${h.cptsId}:${recipient}`, channel: "CHAT", kind: "envoi_suspendu",
          recipient, bodyText: text, refType: "mail_circuit", refId: openedAt.toISOString(),
        });
      }
    }
    if (rows.length === 0) return [];
    let keys: string[] = [];
    await this.db.$transaction((tx) => insertNewRows(tx, rows, (k) => (keys = k)));
    return keys;
  }
}

export class MailWorkerRepository implements WorkerRegistry {
  constructor(private readonly db: Db) {}

  async register(who: HolderIdentity, at: Date): Promise<void> {
    await this.db.mailWorker.upsert({
      where: { id: who.id },
      create: { id: who.id, host: who.host, pid: who.pid, bootId: who.bootId, heartbeatAt: at },
      update: { heartbeatAt: at },
    });
  }

  async heartbeat(id: string, at: Date): Promise<void> {
    await this.db.mailWorker.updateMany({ where: { id }, data: { heartbeatAt: at } });
  }

  async unregister(id: string): Promise<void> {
    await this.db.mailWorker.deleteMany({ where: { id } });
  }

  async takeOverDead(me: HolderIdentity, at: Date, timeoutMs: number): Promise<number> {
    // the holders of leases still running (a lapsed lease is taken by the ordinary claim)
    const tokens = await this.db.outboxMessage.groupBy({ by: ["lockedBy"], where: { state: "EN_COURS", lockedUntil: { gte: at } } });
    const holders = new Map<string, NonNullable<ReturnType<typeof parseHolder>>>();
    for (const t of tokens) {
      const h = t.lockedBy ? parseHolder(t.lockedBy) : null;
      if (h && h.holder !== me.id) holders.set(h.holder, h);
    }
    const stale = new Date(at.getTime() - timeoutMs);
    const workers = holders.size ? await this.db.mailWorker.findMany({ where: { id: { in: [...holders.keys()] } } }) : [];
    const beat = new Map(workers.map((w) => [w.id, w.heartbeatAt]));
    let freed = 0;
    for (const [holder, h] of holders) {
      const last = beat.get(holder);
      if (!deadOnThisHost(me, h) && !(last && last < stale)) continue;
      const r = await this.db.outboxMessage.updateMany({ where: { state: "EN_COURS", lockedBy: { startsWith: `${holder}:` } }, data: { lockedUntil: new Date(0) } });
      freed += r.count;
      await this.unregister(holder);
    }
    // registrations of processes gone without saying so (SIGKILL, power cut)
    const mine = await this.db.mailWorker.findMany({ where: { OR: [{ host: me.host }, { heartbeatAt: { lt: new Date(at.getTime() - 24 * 3600_000) } }] } });
    const gone = mine.filter((w) => w.id !== me.id && (w.heartbeatAt.getTime() < at.getTime() - 24 * 3600_000 || deadOnThisHost(me, w)));
    if (gone.length) await this.db.mailWorker.deleteMany({ where: { id: { in: gone.map((w) => w.id) } } });
    return freed;
  }
}
