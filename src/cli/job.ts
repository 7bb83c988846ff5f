// `coordo job list` and `coordo job run <id> [--at AAAA-MM-JJ] [--dry-run] [--cpts slug] [--sans-envoi]`.
import { parseArgsFr } from "./args.ts";
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { jobs, findJob } from "../../jobs/index.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { JobRunRepository } from "../db/repos/job-run-repo.ts";
import { createSender } from "../mail/component.ts";
import { collectEnqueued } from "../app/services/outbox.ts";
import type { DrainCounts } from "../mail/sender.ts";
import { leftByEarlierRuns } from "../mail/resume.ts";
import { isIsoDate, formatDateFr } from "../rules/dates.ts";
import { JOB_RUN_WAL_PAGES, spacedCheckpoints } from "../db/sqlite-checkpointer.ts";
import { formatDateTimeFr } from "../rules/paris-time.ts";

const USAGE = [
  "Utilisation :",
  "  coordo job list                       les tâches, leur horaire et leurs dernières exécutions",
  "  coordo job run <id> [--at AAAA-MM-JJ] [--dry-run] [--cpts slug] [--sans-envoi]",
  "      --at          exécute la tâche comme si l'on était ce jour-là (Europe/Paris)",
  "      --dry-run     montre ce qui serait fait, sans rien écrire ni envoyer",
  "      --cpts        limite l'exécution à une CPTS",
  "      --sans-envoi  n'envoie pas (ne capture pas) les messages mis en file ; le service les enverra",
  "  Après la tâche, seuls les messages que CETTE exécution a mis en file sont envoyés (ou capturés) ;",
  "  le reste de l'outbox (autres CPTS, autres envois, avis d'échec) est laissé au service « coordo start ».",
  "  Ce qu'une exécution précédente de la même tâche a laissé en attente (arrêt brutal, envois suspendus)",
  "  est repris et envoyé par la nouvelle exécution.",
].join("\n");

const time = formatDateTimeFr;

function summary(counts: unknown): string {
  if (!counts || typeof counts !== "object") return "";
  return Object.entries(counts as Record<string, unknown>)
    .filter(([k]) => k !== "erreurs")
    .map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`)
    .join(", ");
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "list" || sub === "liste") {
    parseArgsFr({ args: rest, options: {}, allowPositionals: false, strict: true });
    return list(io);
  }
  if (sub === "run" || sub === "lancer") return runJob(rest, io);
  io.err(sub ? `Sous-commande inconnue : « ${sub} ».\n${USAGE}` : USAGE);
  return EXIT_USAGE;
}

async function list(io: CliIO): Promise<number> {
  const ctx = await io.context();
  const repo = new JobRunRepository(ctx.db);
  for (const job of jobs) {
    io.out(`${job.id} — ${job.description}`);
    io.out(`  horaire : « ${job.cron} » (Europe/Paris), rattrapage : ${job.catchUp === "all" ? "chaque créneau manqué" : "le dernier créneau manqué"}`);
    const runs = await repo.recent(job.id, 5);
    if (runs.length === 0) io.out("  aucune exécution pour l'instant");
    for (const r of runs) {
      const state = r.state === "TERMINE" ? "terminée" : r.state === "ECHEC" ? "ÉCHEC" : "en cours";
      const kind = r.slot.startsWith("manual:") ? "manuelle" : `créneau ${time(new Date(r.slot))}`;
      io.out(`  ${time(r.startedAt)}  ${state}${r.dryRun ? " (essai à blanc)" : ""}  ${kind}  ${summary(r.counts)}${r.error ? `  erreur : ${r.error.split("\n")[0]}` : ""}`);
    }
  }
  return 0;
}

async function runJob(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgsFr({ args: argv, allowPositionals: true, options: { at: { type: "string" }, "dry-run": { type: "boolean" }, cpts: { type: "string" }, "sans-envoi": { type: "boolean" } } });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const id = parsed.positionals[0];
  const job = id ? findJob(id) : undefined;
  if (!job) {
    io.err(`${id ? `Tâche inconnue : « ${id} ».` : "Indiquez la tâche à lancer."} Tâches : ${jobs.map((j) => j.id).join(", ")}.`);
    return EXIT_USAGE;
  }
  const at = parsed.values.at;
  if (at !== undefined && !isIsoDate(at)) {
    io.err(`Date invalide pour --at : « ${at} » (attendu AAAA-MM-JJ, par exemple 2026-03-15).`);
    return EXIT_USAGE;
  }
  const ctx = await io.context();
  // decisions, claims and marks by the tens of thousands: SQLite checkpoints every ≈ 40 MB of WAL, not every 4 MB
  if (ctx.engine === "sqlite") await ctx.db.$connect().catch(() => undefined); // the connection's direct handle exists once connected
  const restoreCheckpoints = await spacedCheckpoints(ctx.db, JOB_RUN_WAL_PAGES);
  try {
    return await runJobIn(ctx, job, parsed.values, at, io);
  } finally {
    await restoreCheckpoints();
  }
}

async function runJobIn(
  ctx: Awaited<ReturnType<CliIO["context"]>>,
  job: NonNullable<ReturnType<typeof findJob>>,
  values: { cpts?: string; "dry-run"?: boolean; "sans-envoi"?: boolean },
  at: string | undefined,
  io: CliIO,
): Promise<number> {
  let cptsId: string | undefined;
  if (values.cpts) {
    const c = await ctx.db.cpts.findUnique({ where: { slug: values.cpts }, select: { id: true } });
    if (!c) {
      io.err(`CPTS « ${values.cpts} » introuvable.`);
      return EXIT_USAGE;
    }
    cptsId = c.id;
  }
  const dryRun = values["dry-run"] === true;
  const send = !dryRun && !values["sans-envoi"];
  // Sending starts as soon as the first CPTS's decisions are committed, while the run goes on.
  const drain = send ? new OwnDrain(ctx) : undefined;
  // what an earlier run of this job left unsent (killed, or held back while the relay refused our sending)
  const resumed = drain
    ? await leftByEarlierRuns(ctx.db, job.id, { cptsId, now: new Date() }).catch((e) => {
        ctx.log.error("reprise des envois d'une exécution précédente impossible (ils partiront avec coordo start)", { error: e });
        return [] as string[];
      })
    : [];
  drain?.push(resumed);
  const { result: outcome, keys } = await collectEnqueued(
    () => new Scheduler(ctx, jobs).runManual(job, { at, dryRun, cptsId }),
    drain ? (k) => drain.push(k) : undefined,
  );
  const sent = drain ? await drain.finish([...resumed, ...keys]) : undefined;
  if (outcome.status === "echec") {
    io.err(`La tâche ${job.id} a échoué : ${outcome.error}`);
    return 1;
  }
  io.out(`${job.id}${at ? ` au ${formatDateFr(at)}` : ""}${dryRun ? " (essai à blanc : rien n'est écrit)" : ""} : ${summary(outcome.counts) || "rien à faire"}`);
  for (const e of (outcome.counts?.erreurs as string[] | undefined) ?? []) io.err(`  message non rendu : ${e}`);
  if (sent?.error) {
    io.err(`Envois interrompus : ${sent.error}. Rien n'est perdu : les messages restants restent dans l'outbox et partiront avec le service (coordo start).`);
  }
  if (resumed.length) io.out(`Reprise : ${resumed.length} message(s) laissé(s) en attente par une exécution précédente de ${job.id} (interrompue ou suspendue), repris par celle-ci.`);
  if (sent?.suspended) {
    io.err(
      `Envois suspendus : le relais SMTP refuse l'envoi (${sent.suspended}). ${sent.waiting} message(s) restent en file ; aucune adresse n'est mise en cause. ` +
        "Ils partiront d'eux-mêmes dès que le relais les accepte (service coordo start), ou relancez la même commande une fois le relais réparé.",
    );
  }
  if (sent) {
    const c = sent;
    if (c.claimed) {
      io.out(
        c.transport
          ? `Envois : ${c.sent} envoyé(s), ${c.retried} à réessayer, ${c.failed} en échec${c.cancelled ? `, ${c.cancelled} annulé(s) (cotisation réglée entre-temps)` : ""}.`
          : `Envois : ${c.captured} mail(s) capturé(s) (pas de SMTP_URL) — lisez-les avec « coordo outbox --etat capture »${c.sent ? `, ${c.sent} message(s) de chat` : ""}.`,
      );
    }
  }
  return sent?.error || sent?.suspended ? 1 : 0;
}

/**
 * Keys per claim: the sender's batch for the default pool (200). Each claim looks up every key of its scope, so a
 * scope larger than the batch was read again for every batch of it (500 keys: 8 lookups per mail instead of 3, issue 18).
 */
const KEYS_PER_CLAIM = 200;

/**
 * Sends (or captures) only the outbox rows this run enqueued, by their idempotency keys, with one sender and
 * one SMTP pool: the keys of each committed decision as they come (`push`), then every key of the run once
 * more (`finish`: rows inserted outside `inTransaction`, or not yet visible when first tried).
 */
class OwnDrain {
  private readonly queue: string[] = [];
  private readonly scope: { keys?: readonly string[] } = {};
  private readonly sender;
  private readonly transport;
  private readonly total: DrainCounts = { claimed: 0, sent: 0, captured: 0, retried: 0, failed: 0, cancelled: 0, held: 0 };
  private readonly db: Awaited<ReturnType<CliIO["context"]>>["db"];
  private wake: (() => void) | undefined;
  private done = false;
  private readonly loop: Promise<void>;

  constructor(ctx: Awaited<ReturnType<CliIO["context"]>>) {
    ({ sender: this.sender, transport: this.transport } = createSender(ctx, { scope: this.scope }));
    this.db = ctx.db;
    this.loop = this.run();
    this.loop.catch(() => {}); // awaited (and thrown) by finish()
  }

  push(keys: string[]): void {
    this.queue.push(...keys);
    this.wake?.();
  }

  private async drain(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += KEYS_PER_CLAIM) {
      this.scope.keys = keys.slice(i, i + KEYS_PER_CLAIM);
      const c = await this.sender.drainAll({ scopeSize: this.scope.keys.length });
      for (const k of Object.keys(this.total) as (keyof DrainCounts)[]) this.total[k] += c[k];
    }
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.queue.length > 0) await this.drain(this.queue.splice(0, this.queue.length));
      else if (this.done) return;
      else await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Ends the run's sending; a database or SMTP failure is returned (the rows left wait for the service). */
  async finish(allKeys: string[]): Promise<DrainCounts & { transport: boolean; error?: string; suspended?: string; waiting: number }> {
    this.done = true;
    this.wake?.();
    let error: string | undefined;
    let waiting = 0;
    try {
      await this.loop;
      await this.drain(allKeys);
      // the alert this run recorded when it suspended sending goes out now (chat is not suspended)
      if (this.sender.alertKeys.length) {
        const own = { ...this.total };
        await this.drain([...this.sender.alertKeys]);
        Object.assign(this.total, own); // the counts stay those of the run's own messages
      }
      if (this.sender.suspended) {
        for (let i = 0; i < allKeys.length; i += KEYS_PER_CLAIM) {
          waiting += await this.db.outboxMessage.count({ where: { idempotencyKey: { in: allKeys.slice(i, i + KEYS_PER_CLAIM) }, state: { in: ["EN_ATTENTE", "ECHEC_TEMPORAIRE", "EN_COURS"] } } });
        }
      }
    } catch (e) {
      error = (e as Error).message ?? String(e);
    } finally {
      this.transport?.close();
      await this.sender.retire();
    }
    return { ...this.total, transport: this.transport !== null, waiting, ...(error ? { error } : {}), ...(this.sender.suspended ? { suspended: this.sender.suspended } : {}) };
  }
}
