// The sending engine on its own: an in-memory store and transport (no database, no SMTP).
import { describe, it, expect } from "vitest";
import { OutboxSender, type OutboxStore } from "../../src/mail/sender.ts";
import type { ClaimedMessage, OutboxRowInput } from "../../src/db/repos/outbox-repo.ts";
import type { MailTransport, OutgoingMail } from "../../src/mail/transport.ts";
import { silentLogger } from "../../src/log.ts";

type Row = ClaimedMessage & { state: string; lockedBy: string | null; nextAttemptAt: number; lastError?: string };

function memoryStore(n: number) {
  const rows: Row[] = Array.from({ length: n }, (_, i) => ({
    id: `m${i}`, cptsId: "c", idempotencyKey: `k${i}`, channel: "MAIL", kind: "relance", recipient: `r${i}@x.fr`, memberId: null,
    subject: `s${i}`, bodyText: "t", bodyHtml: null, headers: null, attempts: 0, maybeSent: false, state: "EN_ATTENTE", lockedBy: null, nextAttemptAt: 0,
  }));
  const finish = (id: string, tok: string, patch: Partial<Row>) => {
    const r = rows.find((x) => x.id === id && x.lockedBy === tok && x.state === "EN_COURS");
    if (r) Object.assign(r, patch, { lockedBy: null });
    return Promise.resolve(!!r);
  };
  const store: OutboxStore = {
    async claim({ lockToken, limit, now }) {
      const due = rows.filter((r) => (r.state === "EN_ATTENTE" || r.state === "ECHEC_TEMPORAIRE") && r.nextAttemptAt <= now.getTime()).slice(0, limit);
      for (const r of due) Object.assign(r, { state: "EN_COURS", lockedBy: lockToken, attempts: r.attempts + 1 });
      return due.map((r) => ({ ...r }));
    },
    async renew() {},
    markSent: (id, tok) => finish(id, tok, { state: "ENVOYE" }),
    markCaptured: (id, tok) => finish(id, tok, { state: "CAPTURE" }),
    markRetry: (id, tok, next, error) => finish(id, tok, { state: "ECHEC_TEMPORAIRE", nextAttemptAt: next.getTime(), lastError: error }),
    markFailed: (id, tok, error) => finish(id, tok, { state: "ECHEC", lastError: error }),
    async release(tok) {
      for (const r of rows.filter((x) => x.lockedBy === tok && x.state === "EN_COURS")) Object.assign(r, { state: "EN_ATTENTE", lockedBy: null, attempts: r.attempts - 1 });
    },
    async flagMemberEmailInvalid() { return null; },
    async coordinatorEmails() { return []; },
    async cptsName() { return "CPTS"; },
    async insert(_rows: OutboxRowInput[]) { return 0; },
  };
  return { rows, store };
}

function transport(behaviour: (m: OutgoingMail) => Promise<void>): MailTransport & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return { sent, async send(m) { await behaviour(m); sent.push(m); return { response: "250 OK" }; }, close() {} };
}

describe("moteur d'envoi (sans base ni SMTP)", () => {
  it("à l'arrêt, termine les envois en vol et remet le reste du lot en file sans compter d'essai", async () => {
    const { rows, store } = memoryStore(40);
    const tr = transport(() => new Promise((r) => setTimeout(r, 20)));
    const sender = new OutboxSender(store, tr, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency: 2, ratePerSecond: 0, batchSize: 40 });
    const draining = sender.drainOnce();
    await new Promise((r) => setTimeout(r, 50));
    await sender.stop();
    const c = await draining;
    expect(c.sent).toBe(tr.sent.length);
    expect(c.sent).toBeGreaterThan(0);
    expect(c.sent).toBeLessThan(40);
    expect(rows.filter((r) => r.state === "ENVOYE")).toHaveLength(c.sent);
    const back = rows.filter((r) => r.state === "EN_ATTENTE");
    expect(back).toHaveLength(40 - c.sent);
    expect(back.every((r) => r.attempts === 0 && r.lockedBy === null)).toBe(true);
  });

  it("attend de plus en plus longtemps entre les essais sur erreur temporaire, puis abandonne", async () => {
    const { rows, store } = memoryStore(1);
    let clock = 0;
    const tr = transport(async () => { throw Object.assign(new Error("421 occupé"), { responseCode: 421 }); });
    const sender = new OutboxSender(store, tr, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency: 1, ratePerSecond: 0, backoffBaseMs: 1000, maxAttempts: 4 }, () => new Date(clock));
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await sender.drainOnce();
      if (rows[0]!.state === "ECHEC_TEMPORAIRE") delays.push(rows[0]!.nextAttemptAt - clock);
      clock = rows[0]!.nextAttemptAt;
    }
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(rows[0]!.state).toBe("ECHEC");
    expect(rows[0]!.lastError).toContain("421");
  });

  it("respecte le débit maximal configuré", async () => {
    const { store } = memoryStore(6);
    const times: number[] = [];
    const tr = transport(async () => void times.push(Date.now()));
    const sender = new OutboxSender(store, tr, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency: 3, ratePerSecond: 20 });
    // Measured from the drain's start, not from the first send: a first send that a loaded machine delays after
    // its slot would shorten the first-to-last gap below 5 intervals although every slot was kept. The sixth
    // slot is 5 intervals after the first, which is not before t0.
    const t0 = Date.now();
    await sender.drainAll();
    expect(times).toHaveLength(6);
    expect(times[5]! - t0).toBeGreaterThanOrEqual(5 * 50 - 5);
  });
});

describe("vidage d'une exécution de tâche : sans prise inutile (sans base ni SMTP)", () => {
  // `coordo job run` drains its own keys 200 at a time: the claim that found nothing after each of them was a
  // third of all its claims (issue 18). The drain still takes every due row, however many batches they fill.
  const counted = (n: number, takenByAnother = 0) => {
    const { rows, store } = memoryStore(n);
    const claims: number[] = [];
    const claim = store.claim.bind(store);
    store.claim = async (o) => {
      let got = await claim(o);
      // another process took some of the rows read, before this claim's update: a short batch, more rows still due
      if (claims.length === 0 && takenByAnother > 0) {
        for (const r of got.slice(0, takenByAnother)) Object.assign(rows.find((x) => x.id === r.id)!, { lockedBy: "autre" });
        got = got.slice(takenByAnother);
      }
      claims.push(got.length);
      return got;
    };
    return { rows, store, claims };
  };
  const options = { mailFrom: "a@cpts.fr", concurrency: 2, ratePerSecond: 0, batchSize: 40 };

  it.each([
    { rows: 0, scoped: [0], unscoped: [0] },
    { rows: 30, scoped: [30], unscoped: [30, 0] },
    { rows: 40, scoped: [40], unscoped: [40, 0] },
    { rows: 90, scoped: [40, 40, 10, 0], unscoped: [40, 40, 10, 0] },
  ])("$rows messages dus, une portée de $rows clés : prises $scoped (sans portée : $unscoped), tous envoyés", async ({ rows: n, scoped, unscoped }) => {
    for (const [scopeSize, expected] of [[n, scoped], [undefined, unscoped]] as const) {
      const { rows, store, claims } = counted(n);
      const tr = transport(async () => {});
      const c = await new OutboxSender(store, tr, () => undefined, silentLogger, options).drainAll({ scopeSize });
      expect(claims).toEqual(expected);
      expect(c.sent).toBe(n);
      expect(rows.filter((r) => r.state === "ENVOYE")).toHaveLength(n);
    }
  });

  it("une portée plus grande que le lot : un lot court (un autre processus a pris des lignes lues) ne clôt pas le vidage", async () => {
    const { rows, store, claims } = counted(60, 5);
    const c = await new OutboxSender(store, transport(async () => {}), () => undefined, silentLogger, options).drainAll({ scopeSize: 60 });
    expect(claims).toEqual([35, 20, 0]);
    expect(c.sent).toBe(55);
    expect(rows.filter((r) => r.state === "EN_ATTENTE")).toHaveLength(0);
  });

  it("un lot dont un envoi a échoué temporairement est aussi le dernier : le message attend son heure, il n'est pas repris tout de suite", async () => {
    const { rows, store, claims } = counted(5);
    const tr = transport(async (m) => {
      if (m.to === "r2@x.fr") throw Object.assign(new Error("451 try later"), { responseCode: 451 });
    });
    const c = await new OutboxSender(store, tr, () => undefined, silentLogger, options).drainAll({ scopeSize: 5 });
    expect(claims).toEqual([5]);
    expect(c).toMatchObject({ sent: 4, retried: 1 });
    expect(rows.find((r) => r.id === "m2")).toMatchObject({ state: "ECHEC_TEMPORAIRE" });
  });
});

describe("marques « envoyé » groupées (sans base ni SMTP)", () => {
  it("au plus un message accepté mais non enregistré par connexion ; une écriture groupée en échec n'arrête ni ne bloque le lot", async () => {
    const { rows, store } = memoryStore(60);
    const concurrency = 4;
    let accepted = 0; // accepted by the server, mark not written yet
    let maxUnrecorded = 0;
    let writes = 0;
    const groups: number[] = [];
    store.markSentMany = async (items, tok) => {
      await new Promise((r) => setTimeout(r, 5));
      writes++;
      groups.push(items.length);
      accepted -= items.length;
      if (writes === 3) throw new Error("base indisponible");
      let n = 0;
      for (const i of items) if (await store.markSent(i.id, tok, new Date(), i.providerId)) n++;
      return n;
    };
    const tr = transport(async () => {
      await new Promise((r) => setTimeout(r, 1));
    });
    const send = tr.send.bind(tr);
    tr.send = async (m) => {
      const r = await send(m);
      accepted++;
      maxUnrecorded = Math.max(maxUnrecorded, accepted);
      return r;
    };
    const sender = new OutboxSender(store, tr, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency, ratePerSecond: 0, batchSize: 60 });
    const c = await sender.drainOnce();
    expect(tr.sent).toHaveLength(60);
    expect(maxUnrecorded).toBeLessThanOrEqual(concurrency);
    expect(groups.some((g) => g > 1)).toBe(true); // grouped indeed
    const failedGroup = groups[2]!;
    expect(rows.filter((r) => r.state === "ENVOYE")).toHaveLength(60 - failedGroup);
    // the messages of the failed write stay held: their lease expires, they are taken again (same Message-ID)
    expect(rows.filter((r) => r.state === "EN_COURS")).toHaveLength(failedGroup);
    expect(c.sent).toBe(60 - failedGroup);
  });

  it("les réponses du serveur arrivées à quelques dixièmes de milliseconde d'écart : une seule écriture pour les connexions", async () => {
    const { rows, store } = memoryStore(100);
    const groups: number[] = [];
    const markSent = store.markSent;
    store.markSentMany = async (items, tok) => {
      groups.push(items.length);
      let n = 0;
      for (const i of items) if (await markSent(i.id, tok, new Date(), i.providerId)) n++;
      return n;
    };
    // the relay answers each connection a few event-loop turns after the previous one (as SMTP replies arrive)
    let k = 0;
    const tr = transport(async () => {
      const turns = 1 + (k++ % 5);
      for (let t = 0; t < turns; t++) await new Promise((r) => setImmediate(r));
    });
    const c = await new OutboxSender(store, tr, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency: 5, ratePerSecond: 0, batchSize: 100 }).drainOnce();
    expect(c.sent).toBe(100);
    expect(rows.filter((r) => r.state === "ENVOYE")).toHaveLength(100);
    // written alone at the end of each turn, a mark went with ~1 other; now with the answers in flight
    expect(groups.reduce((a, b) => a + b, 0)).toBe(100);
    expect(groups.length).toBeLessThanOrEqual(30);
  });

  it("une connexion lente ne retarde pas les marques des autres (attente bornée à une milliseconde)", async () => {
    const { store } = memoryStore(40);
    const markSent = store.markSent;
    store.markSentMany = async (items, tok) => {
      let n = 0;
      for (const i of items) if (await markSent(i.id, tok, new Date(), i.providerId)) n++;
      return n;
    };
    let slowDone = false;
    let quickWhileSlow = 0;
    const tr = transport(async (m) => {
      if (m.to === "r0@x.fr") {
        await new Promise((r) => setTimeout(r, 1_000));
        slowDone = true;
      } else if (!slowDone) quickWhileSlow++;
    });
    const c = await new OutboxSender(store, tr, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency: 2, ratePerSecond: 0, batchSize: 40 }).drainOnce();
    expect(c.sent).toBe(40);
    // the other connection waits for its own mark only: it sends the rest of the batch meanwhile
    expect(quickWhileSlow).toBe(39);
  });

  it("une relance devenue sans objet en cours de lot (cotisation payée pendant un envoi ralenti) n'est pas envoyée", async () => {
    const { rows, store } = memoryStore(12);
    const paid = new Set<string>();
    let checks = 0;
    store.cancelMoot = async (rest, tok) => {
      checks++;
      const out = new Set<string>();
      for (const m of rest) {
        const r = rows.find((x) => x.id === m.id && x.lockedBy === tok && x.state === "EN_COURS");
        if (r && paid.has(r.recipient)) Object.assign(r, { state: "ANNULE", lockedBy: null }), out.add(r.id);
      }
      return out;
    };
    let clock = 0;
    // throttled sending: each message takes 400 ms of the sender's clock; the member of message 8 pays after the 2nd
    const tr = transport(async (m) => {
      clock += 400;
      if (m.to === "r1@x.fr") paid.add("r8@x.fr");
    });
    const sender = new OutboxSender(store, tr, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency: 1, ratePerSecond: 0, batchSize: 12 }, () => new Date(clock));
    const c = await sender.drainOnce();
    expect(tr.sent.map((m) => m.to)).not.toContain("r8@x.fr");
    expect(tr.sent).toHaveLength(11);
    expect(c.cancelled).toBe(1);
    expect(rows.find((r) => r.recipient === "r8@x.fr")!.state).toBe("ANNULE");
    expect(checks).toBeGreaterThan(1); // checked again during the batch, not only before it
  });
});
