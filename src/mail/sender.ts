// Drains the outbox. Depends only on a store and a transport (habit 7), so it is tested without either.
//
// Delivery guarantee (see README "Tâches planifiées et envois"):
// - A row is claimed (EN_COURS, lockedBy, lockedUntil) by a conditional UPDATE before anything is sent:
//   two senders never hold the same row.
// - It is marked ENVOYE right after the SMTP server's 250, one message in flight per connection, so at
//   most SMTP_POOL_SIZE messages are ever "accepted but not yet recorded".
// - After a crash, a row whose lease expired is taken again and re-sent with the SAME Message-ID (derived
//   from its idempotency key): at-least-once towards the server, and the rare re-send (only the messages in
//   flight at the crash) is an exact duplicate that receiving servers and mailboxes collapse by Message-ID.
//   We prefer that to at-most-once, which would silently lose those messages.
// - Every lock token names its holder (host/pid/boot/random, circuit.ts); holders heartbeat, and a holder whose
//   process is gone is taken over at once (a re-run after a SIGKILL does not wait for the lease).
// - Who is at fault (issue 11): only a 5xx to one recipient's RCPT TO blames (flags) that address. A refusal of
//   our sending (MAIL FROM, DATA, auth, TLS, unreachable relay, or the same refusal for a large share of a batch)
//   opens the circuit breaker shared through the database: the messages stay pending, nobody is flagged, the
//   operator is told, and one probe message at a time (backoff) closes it again.
// - Temporary failures are retried with exponential backoff for `retryWindowMs` (48 h) before becoming final.
import { randomUUID } from "node:crypto";
import type { ClaimedMessage, OutboxRowInput } from "../db/repos/outbox-repo.ts";
import type { Logger } from "../log.ts";
import { parseChatRecipient, ChatRateLimited, type ChatNotifier } from "./ports.ts";
import { messageIdFor } from "./message-id.ts";
import { classifySmtpError, type MailTransport, type OutgoingMail } from "./transport.ts";
import { RateLimiter, KeyedSpacer } from "./rate.ts";
import { renderMail } from "./template.ts";
import { parisToday } from "../rules/dates.ts";
import { echecEnvoiTemplate } from "../../templates/mail/echec-envoi.ts";
import { holderIdentity, type CircuitStore, type HolderIdentity, type WorkerRegistry } from "./circuit.ts";
import type { SendFailure } from "./transport.ts";

export interface OutboxStore {
  claim(opts: { lockToken: string; now: Date; leaseMs: number; limit: number; channels?: ("MAIL" | "CHAT")[] }): Promise<ClaimedMessage[]>;
  renew(lockToken: string, until: Date): Promise<void>;
  markSent(id: string, lockToken: string, at: Date, providerId: string | null): Promise<boolean>;
  /** Optional: marks several rows sent in one write (group commit); returns how many were still held. */
  markSentMany?(items: readonly { id: string; providerId: string | null }[], lockToken: string, at: Date): Promise<number>;
  markCaptured(id: string, lockToken: string, providerId: string | null): Promise<boolean>;
  markRetry(id: string, lockToken: string, nextAttemptAt: Date, error: string): Promise<boolean>;
  markFailed(id: string, lockToken: string, error: string): Promise<boolean>;
  release(lockToken: string): Promise<void>;
  /** Optional: puts one held row back in the queue without counting the attempt (sending suspended). */
  markHeld?(id: string, lockToken: string, error: string): Promise<boolean>;
  /** Optional last look before sending a batch: the ids that became moot (e.g. dues paid since), now ANNULE. */
  cancelMoot?(batch: readonly ClaimedMessage[], lockToken: string, today: string): Promise<Set<string>>;
  flagMemberEmailInvalid(memberId: string, at: Date, reason?: string): Promise<{ name: string } | null>;
  coordinatorEmails(cptsId: string): Promise<{ id: string; email: string }[]>;
  /** The CPTS a member belongs to (an inter-CPTS's newsletter reaches its member CPTS's members). */
  memberCptsId?(memberId: string): Promise<string | null>;
  cptsName(cptsId: string): Promise<string>;
  insert(rows: OutboxRowInput[]): Promise<number>;
}

export interface SenderOptions {
  mailFrom: string;
  workerId?: string;
  /** Parallel sends = SMTP pool size (one message in flight per connection). */
  concurrency: number;
  ratePerSecond: number;
  leaseMs?: number;
  batchSize?: number;
  pollMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A cap on attempts (tests); 0 (default): temporary failures are retried for `retryWindowMs`. */
  maxAttempts?: number;
  /** How long temporary failures are retried before becoming final (MTA practice: 48 h at least). */
  retryWindowMs?: number;
  chatIntervalMs?: number;
  /** The circuit breaker shared by every sender (database); none: a refused sending is a temporary failure. */
  circuit?: CircuitStore;
  /** Registry of lease holders (heartbeat, take-over of dead ones); none: leases lapse on their own. */
  workers?: WorkerRegistry;
  /** Delay before the first probe of an open circuit, doubled after each failed probe up to `probeMaxMs`. */
  probeBaseMs?: number;
  probeMaxMs?: number;
  heartbeatMs?: number;
  /** A holder whose heartbeat is older than this is taken for dead (another host, a frozen process). */
  holderTimeoutMs?: number;
  /** From (display name), Reply-To, envelope (VERP Return-Path) and headers of a mail (identity.ts); default: none. */
  compose?: (msg: ClaimedMessage) => Promise<Partial<Pick<OutgoingMail, "from" | "replyTo" | "envelope" | "headers">>>;
}

export interface DrainCounts {
  claimed: number;
  sent: number;
  captured: number;
  retried: number;
  failed: number;
  /** Made moot between the claim and the send (a dues reminder whose year was paid): ANNULE, not sent. */
  cancelled: number;
  /** Put back in the queue, unsent, because the relay refuses our sending (circuit open). */
  held: number;
}

/** A batch where at least this many recipients were refused, half of the mails tried or more, is a sending problem. */
const SHARE_MIN_REFUSALS = 10;
const SHARE_RATIO = 0.5;

interface BatchFault {
  /** Why sending was suspended during this batch (the circuit trips at its end). */
  tripped?: string;
  /** Recipient refusals, acted on at the end of the batch (unless it turned out to be a sending problem). */
  refused: { msg: ClaimedMessage; f: SendFailure }[];
  mailTried: number;
}

/** How often what is left of a batch is checked again for reminders made moot by a payment. */
const MOOT_RECHECK_MS = 1_000;

const emptyCounts = (): DrainCounts => ({ claimed: 0, sent: 0, captured: 0, retried: 0, failed: 0, cancelled: 0, held: 0 });

export class OutboxSender {
  private readonly o: Required<Omit<SenderOptions, "circuit" | "workers">>;
  private readonly circuit: CircuitStore | undefined;
  private readonly workers: WorkerRegistry | undefined;
  private readonly me: HolderIdentity;
  private registered = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastTakeOver = 0;
  private probedOnce = false;
  /** Why sending is suspended, as last seen by this sender (undefined: not suspended). */
  suspended: string | undefined;
  /** Keys of the alerts this sender recorded when it opened the circuit (the CLI posts them). */
  readonly alertKeys: string[] = [];
  private readonly rate: RateLimiter;
  private readonly chatSpacer: KeyedSpacer;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: OutboxStore,
    /** null = no SMTP configured: mails are kept as CAPTURE. */
    private readonly transport: MailTransport | null,
    private readonly chat: (platform: string) => ChatNotifier | undefined,
    private readonly log: Logger,
    options: SenderOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    const { circuit, workers, ...rest } = options;
    this.circuit = circuit;
    this.workers = workers;
    this.me = holderIdentity();
    if (options.workerId) this.me = { ...this.me, id: options.workerId };
    options = rest;
    this.o = {
      workerId: this.me.id,
      leaseMs: 5 * 60_000,
      batchSize: Math.max(100, options.concurrency * 40),
      pollMs: 2_000,
      backoffBaseMs: 60_000,
      backoffMaxMs: 3600_000,
      maxAttempts: 0,
      retryWindowMs: 48 * 3600_000,
      chatIntervalMs: 1_000,
      probeBaseMs: 30_000,
      probeMaxMs: 15 * 60_000,
      heartbeatMs: 10_000,
      holderTimeoutMs: 60_000,
      compose: async () => ({}),
      ...options,
    };
    this.rate = new RateLimiter(options.ratePerSecond);
    this.chatSpacer = new KeyedSpacer(this.o.chatIntervalMs);
  }

  /** Claims and delivers one batch; returns what happened. */
  async drainOnce(): Promise<DrainCounts> {
    return (await this.drainBatch()).counts;
  }

  /** One batch, and the number of rows its claim asked for. */
  private async drainBatch(): Promise<{ counts: DrainCounts; limit: number }> {
    const counts = emptyCounts();
    await this.beat();
    const gate = await this.gate();
    const lockToken = `${this.o.workerId}:${randomUUID()}`;
    // circuit open: only chat messages go; probing: one mail, the probe itself
    const limit = gate === "probe" ? 1 : this.o.batchSize;
    const batch = await this.store.claim({
      lockToken, now: this.now(), leaseMs: this.o.leaseMs, limit,
      ...(gate === "paused" ? { channels: ["CHAT" as const] } : gate === "probe" ? { channels: ["MAIL" as const] } : {}),
    });
    counts.claimed = batch.length;
    if (batch.length === 0) {
      // the relay answers (verify) and no mail waits: nothing is held back any more
      if (gate === "probe" && (await this.circuit!.close(this.now()))) this.resumed("aucun message en attente");
      return { counts, limit };
    }
    const fault: BatchFault = { refused: [], mailTried: 0 };
    // Last look before sending: reminders made moot by a payment recorded since the decision are cancelled,
    // for the whole batch at once, then again every MOOT_RECHECK_MS for what is left of it (a throttled
    // batch can last minutes: a payment recorded meanwhile still stops its reminder within a second).
    const moot = new Set<string>();
    let i = 0;
    let mootCheckedAt = 0;
    let checking: Promise<void> | undefined;
    const checkMoot = async () => {
      if (!this.store.cancelMoot || this.now().getTime() - mootCheckedAt < MOOT_RECHECK_MS) return;
      checking ??= (async () => {
        const rest = batch.slice(i).filter((m) => !moot.has(m.id));
        const cancelled = rest.length ? await this.store.cancelMoot!(rest, lockToken, parisToday(this.now())) : new Set<string>();
        mootCheckedAt = this.now().getTime();
        for (const id of cancelled) moot.add(id);
        if (cancelled.size) {
          counts.cancelled += cancelled.size;
          this.log.info("outbox : messages devenus sans objet, annulés", { count: cancelled.size });
        }
      })().finally(() => (checking = undefined));
      await checking;
    };
    await checkMoot();
    const marks = new SentMarks(this.store, lockToken, this.now);
    let leaseEnd = this.now().getTime() + this.o.leaseMs;
    const worker = async () => {
      while (i < batch.length && !this.stopping && !fault.tripped) {
        try {
          await checkMoot();
          if (leaseEnd - this.now().getTime() < this.o.leaseMs / 2) {
            leaseEnd = this.now().getTime() + this.o.leaseMs;
            await this.store.renew(lockToken, new Date(leaseEnd));
          }
        } catch (e) {
          // database trouble: keep sending what is claimed (the lease may lapse: a re-send keeps its Message-ID)
          this.log.error("outbox : relecture du lot impossible", { error: e });
        }
        if (i >= batch.length || this.stopping || fault.tripped) break;
        const msg = batch[i++]!;
        if (moot.has(msg.id)) continue;
        await this.deliver(msg, lockToken, counts, marks, fault);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, batch.length) }, worker));
    if (fault.tripped) {
      // a sending problem: nobody's address is at fault; everything of the batch waits for the relay
      for (const r of fault.refused) if (await this.hold(r.msg, lockToken, fault.tripped)) counts.held++;
      counts.held += batch.slice(i).filter((m) => !moot.has(m.id)).length;
      if (i < batch.length) await this.store.release(lockToken);
      await this.trip(fault.tripped, gate === "probe");
      return { counts, limit };
    }
    for (const r of fault.refused) await this.failed(r.msg, lockToken, r.f, counts);
    // the probe went through (accepted, or refused for its recipient only: the relay takes our sending again)
    if (gate === "probe") {
      if (counts.sent > 0 || fault.refused.length > 0) {
        if (await this.circuit!.close(this.now())) this.resumed("un message d'essai est passé");
        this.suspended = undefined;
      } else if (counts.retried > 0) {
        await this.circuit!.probeFailed("l'essai de reprise a échoué temporairement", this.now(), this.nextProbe());
      }
    }
    // stopping: the messages of the batch not started yet go back to the queue at once
    if (this.stopping && i < batch.length) await this.store.release(lockToken);
    return { counts, limit };
  }

  /** Registers this process as a lease holder, heartbeats, and takes over the leases of dead holders. */
  private async beat(): Promise<void> {
    if (!this.workers) return;
    try {
      if (!this.registered) {
        await this.workers.register(this.me, new Date());
        this.registered = true;
        this.heartbeat = setInterval(() => {
          this.workers!.heartbeat(this.me.id, new Date()).catch((e) => this.log.warn("outbox : battement de cœur non enregistré", { error: e }));
        }, this.o.heartbeatMs);
        this.heartbeat.unref?.();
      }
      if (Date.now() - this.lastTakeOver >= 1_000) {
        this.lastTakeOver = Date.now();
        const freed = await this.workers.takeOverDead(this.me, new Date(), this.o.holderTimeoutMs);
        if (freed) this.log.warn("outbox : reprise des messages d'un processus d'envoi arrêté", { count: freed });
      }
    } catch (e) {
      // the registry is a help: leases still lapse on their own
      this.log.error("outbox : registre des processus d'envoi indisponible", { error: e });
    }
  }

  /** Ends this sender's registration (graceful stop, end of a `job run`). */
  async retire(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.registered && this.workers) await this.workers.unregister(this.me.id).catch(() => {});
    this.registered = false;
  }

  private nextProbe(probes = 0): Date {
    return new Date(this.now().getTime() + Math.min(this.o.probeMaxMs, this.o.probeBaseMs * 2 ** probes));
  }

  /** "closed": send; "paused": the circuit is open (chat only); "probe": open, and this sender tries one mail. */
  private async gate(): Promise<"closed" | "paused" | "probe"> {
    if (!this.transport || !this.circuit) return "closed";
    const c = await this.circuit.read();
    if (!c.open) {
      this.suspended = undefined;
      return "closed";
    }
    this.suspended = c.reason ?? "relais SMTP indisponible";
    // a process's first look probes at once (a re-run after the relay was fixed), then at backoff intervals
    const next = this.nextProbe(c.probes + 1);
    if (!(await this.circuit.takeProbe(this.now(), !this.probedOnce, next))) return "paused";
    this.probedOnce = true;
    if (this.transport.verify) {
      try {
        await this.transport.verify();
      } catch (e) {
        const f = classifySmtpError(e);
        await this.circuit.probeFailed(f.message, this.now(), next);
        this.log.warn("envois toujours suspendus : le relais SMTP ne répond pas à l'essai de reprise", { error: f.message });
        return "paused";
      }
    }
    return "probe";
  }

  private async trip(reason: string, probing: boolean): Promise<void> {
    this.suspended = reason;
    this.probedOnce = true; // the next probe waits for its time
    if (!this.circuit) return;
    if (probing) {
      const c = await this.circuit.read();
      await this.circuit.probeFailed(reason, this.now(), this.nextProbe(c.probes + 1));
      this.log.warn("envois toujours suspendus : l'essai de reprise a échoué", { reason });
      return;
    }
    const at = this.now();
    const opened = await this.circuit.open(reason, at, this.nextProbe());
    this.log.error(
      "envois suspendus : le relais SMTP refuse l'envoi ; les messages restent en file et aucune adresse n'est mise en cause ; reprise automatique dès qu'un message d'essai passe",
      { reason },
    );
    if (opened) {
      try {
        this.alertKeys.push(...(await this.circuit.alertHeldBack(at, reason)));
      } catch (e) {
        this.log.error("envois suspendus : alerte aux CPTS non enregistrée", { error: e });
      }
    }
  }

  private resumed(why: string): void {
    this.suspended = undefined;
    this.log.info(`envois repris : le relais SMTP accepte de nouveau (${why})`);
  }

  private async hold(msg: ClaimedMessage, lockToken: string, reason: string): Promise<boolean> {
    if (this.store.markHeld) return this.store.markHeld(msg.id, lockToken, reason);
    return this.store.markRetry(msg.id, lockToken, this.now(), reason);
  }

  /**
   * Drains until nothing is due (CLI, tests). `scopeSize`: the claims can see at most that many rows (a sender
   * scoped to these keys, `coordo job run`); a batch whose claim asked for as many, and held none back, saw every
   * due one: it is the last, without one more claim that would find nothing (a third of a run's claims, issue 18).
   */
  async drainAll(opts: { scopeSize?: number } = {}): Promise<DrainCounts> {
    const total = emptyCounts();
    // an explicit drain (CLI, tests) after a stop() works again; a stop() during it ends it
    if (!this.running) this.stopping = false;
    for (;;) {
      // while stopping, a claimed batch is released untouched: looping on it would spin forever
      if (this.stopping) return total;
      const { counts: c, limit } = await this.drainBatch();
      if (c.claimed === 0) return total;
      for (const k of Object.keys(total) as (keyof DrainCounts)[]) total[k] += c[k];
      if (opts.scopeSize !== undefined && limit >= opts.scopeSize && c.held === 0) return total;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let c: DrainCounts = emptyCounts();
        try {
          c = await this.drainOnce();
          if (c.claimed) this.log.info("outbox : lot traité", { ...c });
        } catch (e) {
          this.log.error("outbox : erreur du lot", { error: e });
        }
        if (c.claimed === 0 && this.running) await new Promise<void>((r) => ((this.wake = r), setTimeout(r, this.o.pollMs).unref?.()));
      }
    })();
  }

  /** Wakes the loop now (a decision just enqueued messages). */
  poke(): void {
    this.wake?.();
  }

  /** Finishes the messages in flight (not the rest of the batch, released), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.retire();
  }

  private backoff(attempts: number): number {
    return Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  }

  private async deliver(msg: ClaimedMessage, lockToken: string, counts: DrainCounts, marks: SentMarks, fault: BatchFault): Promise<void> {
    try {
      if (msg.channel === "CHAT") return await this.deliverChat(msg, lockToken, counts);
      const messageId = messageIdFor(msg.idempotencyKey, this.o.mailFrom);
      if (!this.transport) {
        await this.store.markCaptured(msg.id, lockToken, messageId);
        counts.captured++;
        return;
      }
      await this.rate.take();
      fault.mailTried++;
      if (msg.maybeSent) this.log.warn("outbox : reprise d'un message peut-être déjà remis (même Message-ID)", { id: msg.id, messageId });
      const identity = await this.o.compose(msg);
      marks.sending++;
      try {
        await this.transport.send({
          from: this.o.mailFrom,
          to: msg.recipient,
          subject: msg.subject ?? "(sans objet)",
          text: msg.bodyText,
          html: msg.bodyHtml ?? undefined,
          messageId,
          headers: msg.headers ?? undefined,
          ...identity,
        });
      } catch (e) {
        marks.answered();
        return await this.sendFailed(msg, lockToken, classifySmtpError(e), counts, fault);
      }
      marks.answered();
      // Recorded before this connection takes its next message: at most one accepted-but-unrecorded
      // message per connection, as with one write per message, but the writes of all connections are grouped.
      if (!(await marks.add(msg.id, messageId))) {
        this.log.warn("outbox : message envoyé mais le verrou avait expiré", { id: msg.id });
      }
      counts.sent++;
    } catch (e) {
      // database trouble after the claim: leave the row to its lease; it will be retried
      this.log.error("outbox : échec d'écriture de l'état", { id: msg.id, error: e });
    }
  }

  private async deliverChat(msg: ClaimedMessage, lockToken: string, counts: DrainCounts): Promise<void> {
    const ref = parseChatRecipient(msg.recipient);
    const notifier = ref ? this.chat(ref.platform) : undefined;
    if (!ref || !notifier) {
      return this.failed(msg, lockToken, { permanent: !ref, recipientRefused: false, message: ref ? `aucun adaptateur de chat actif pour « ${ref.platform} »` : `destinataire de chat invalide « ${msg.recipient} »` }, counts);
    }
    await this.chatSpacer.take(`${ref.platform}:${ref.workspace}:${ref.channel}`);
    try {
      await notifier.post(ref, msg.bodyText);
    } catch (e) {
      if (e instanceof ChatRateLimited) {
        await this.store.markRetry(msg.id, lockToken, new Date(this.now().getTime() + e.retryAfterMs), e.message);
        counts.retried++;
        return;
      }
      return this.failed(msg, lockToken, { permanent: false, recipientRefused: false, message: (e as Error).message ?? String(e) }, counts);
    }
    await this.store.markSent(msg.id, lockToken, this.now(), null);
    counts.sent++;
  }

  /** Whose fault: the relay refusing our sending (hold, trip the circuit), one recipient (at batch end), or neither. */
  private async sendFailed(msg: ClaimedMessage, lockToken: string, f: SendFailure, counts: DrainCounts, fault: BatchFault): Promise<void> {
    if (f.senderProblem && this.circuit) {
      fault.tripped ??= f.message;
      if (await this.hold(msg, lockToken, f.message)) counts.held++;
      return;
    }
    if (f.permanent && f.recipientRefused && this.circuit) {
      fault.refused.push({ msg, f });
      if (fault.refused.length >= SHARE_MIN_REFUSALS && fault.refused.length >= fault.mailTried * SHARE_RATIO) {
        fault.tripped ??= `le même refus pour ${fault.refused.length} destinataires sur ${fault.mailTried} : ${f.message}`;
      }
      return;
    }
    return this.failed(msg, lockToken, f, counts);
  }

  /** Temporary failures are retried until the retry window (or the attempts cap) is used up. */
  private exhausted(msg: ClaimedMessage): boolean {
    if (this.o.maxAttempts > 0) return msg.attempts >= this.o.maxAttempts;
    if (msg.createdAt) return this.now().getTime() - msg.createdAt.getTime() >= this.o.retryWindowMs;
    return msg.attempts >= 60;
  }

  private async failed(msg: ClaimedMessage, lockToken: string, f: { permanent: boolean; recipientRefused: boolean; message: string }, counts: DrainCounts): Promise<void> {
    if (!f.permanent && !this.exhausted(msg)) {
      await this.store.markRetry(msg.id, lockToken, new Date(this.now().getTime() + this.backoff(msg.attempts)), f.message);
      counts.retried++;
      this.log.warn("outbox : échec temporaire, nouvel essai prévu", { id: msg.id, attempts: msg.attempts, error: f.message });
      return;
    }
    await this.store.markFailed(msg.id, lockToken, f.message);
    counts.failed++;
    this.log.warn("outbox : échec définitif", { id: msg.id, kind: msg.kind, error: f.message });
    let memberName: string | undefined;
    if (f.permanent && f.recipientRefused && msg.memberId) memberName = (await this.store.flagMemberEmailInvalid(msg.memberId, this.now(), f.message))?.name;
    if (msg.channel === "MAIL" && msg.kind !== "echec_envoi") await this.noticeCoordinators(msg, f.message, memberName);
  }

  private async noticeCoordinators(msg: ClaimedMessage, error: string, memberName: string | undefined): Promise<void> {
    // The notice goes to the coordination of the CPTS the recipient belongs to: for an inter-CPTS's
    // newsletter to a member CPTS's member, that CPTS's (the inter-CPTS never sees their name or address).
    const owner = (msg.memberId && (await this.store.memberCptsId?.(msg.memberId))) || msg.cptsId;
    const coordinators = (await this.store.coordinatorEmails(owner)).filter((c) => c.email.toLowerCase() !== msg.recipient.toLowerCase());
    if (coordinators.length === 0) return;
    const mail = renderMail(echecEnvoiTemplate, { cptsName: await this.store.cptsName(owner), recipient: msg.recipient, memberName: memberName || undefined, subject: msg.subject ?? undefined, error });
    await this.store.insert(
      coordinators.map((c) => ({
        cptsId: owner, idempotencyKey: `echec_envoi:${msg.id}:${c.id}`, channel: "MAIL", kind: "echec_envoi", recipient: c.email, memberId: c.id,
        subject: mail.subject, bodyText: mail.text, bodyHtml: mail.html, refType: "outbox", refId: msg.id,
      })),
    );
  }
}

/**
 * Group commit of "sent" marks: a caller waits until its mark is written; marks arriving while a write is in
 * flight go together in the next one (one UPDATE for all the connections' messages instead of one each).
 * A mark is written once no other message of the batch is still waiting for the server's answer (their marks
 * would come right after), or MARK_WAIT_MS after it arrived, whichever comes first. Written at the end of the
 * event loop's turn instead, a mark went with 0.8 others on average (28,000 commits for 50,801 marks on the
 * national set): the connections' answers arrive a fraction of a millisecond apart. Now ≈ 4.5 marks a commit
 * (11,300 commits), each still waited for by its connection before its next message: at most one
 * accepted-but-unrecorded message per connection, as before (issue 18).
 */
const MARK_WAIT_MS = 1;

class SentMarks {
  private pending: { id: string; providerId: string | null; done: (held: boolean) => void; fail: (e: unknown) => void }[] = [];
  private flushing = false;
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Messages of the batch handed to the transport whose answer has not come yet. */
  sending = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly lockToken: string,
    private readonly now: () => Date,
  ) {}

  /** The server answered one message (accepted or not): if the marks waited only for it, they are written now. */
  answered(): void {
    this.sending--;
    if (this.sending > 0 || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    setImmediate(() => this.write());
  }

  add(id: string, providerId: string | null): Promise<boolean> {
    if (!this.store.markSentMany) return this.store.markSent(id, this.lockToken, this.now(), providerId);
    return new Promise<boolean>((done, fail) => {
      this.pending.push({ id, providerId, done, fail });
      if (this.flushing || this.scheduled) return;
      this.scheduled = true;
      // other answers are on their way: wait a little for them; none: at the end of this turn
      if (this.sending > 0) this.timer = setTimeout(() => ((this.timer = undefined), this.write()), MARK_WAIT_MS);
      else setImmediate(() => this.write());
    });
  }

  private write(): void {
    this.scheduled = false;
    void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        try {
          const marked = await this.store.markSentMany!(group, this.lockToken, this.now());
          // all held (the usual case), or some lease expired: tell each caller only when all were marked
          for (const g of group) g.done(marked === group.length);
        } catch (e) {
          for (const g of group) g.fail(e);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
