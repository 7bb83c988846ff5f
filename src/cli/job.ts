// `coordo job list` and `coordo job run <id> [--at AAAA-MM-JJ] [--dry-run] [--cpts slug] [--sans-envoi]`.
import { parseArgs } from "node:util";
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { jobs, findJob } from "../../jobs/index.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { JobRunRepository } from "../db/repos/job-run-repo.ts";
import { createSender } from "../mail/component.ts";
import { collectEnqueued } from "../app/services/outbox.ts";
import type { DrainCounts } from "../mail/sender.ts";
import { isIsoDate, formatDateFr } from "../rules/dates.ts";
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
  if (sub === "list" || sub === "liste") return list(io);
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
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { at: { type: "string" }, "dry-run": { type: "boolean" }, cpts: { type: "string" }, "sans-envoi": { type: "boolean" } } });
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
  let cptsId: string | undefined;
  if (parsed.values.cpts) {
    const c = await ctx.db.cpts.findUnique({ where: { slug: parsed.values.cpts }, select: { id: true } });
    if (!c) {
      io.err(`CPTS « ${parsed.values.cpts} » introuvable.`);
      return EXIT_USAGE;
    }
    cptsId = c.id;
  }
  const dryRun = parsed.values["dry-run"] === true;
  const send = !dryRun && !parsed.values["sans-envoi"];
  // Sending starts as soon as the first CPTS's decisions are committed, while the run goes on.
  const drain = send ? new OwnDrain(ctx) : undefined;
  const { result: outcome, keys } = await collectEnqueued(
    () => new Scheduler(ctx, jobs).runManual(job, { at, dryRun, cptsId }),
    drain ? (k) => drain.push(k) : undefined,
  );
  const sent = drain ? await drain.finish(keys) : undefined;
  if (outcome.status === "echec") {
    io.err(`La tâche ${job.id} a échoué : ${outcome.error}`);
    return 1;
  }
  io.out(`${job.id}${at ? ` au ${formatDateFr(at)}` : ""}${dryRun ? " (essai à blanc : rien n'est écrit)" : ""} : ${summary(outcome.counts) || "rien à faire"}`);
  for (const e of (outcome.counts?.erreurs as string[] | undefined) ?? []) io.err(`  message non rendu : ${e}`);
  if (sent?.error) {
    io.err(`Envois interrompus : ${sent.error}. Rien n'est perdu : les messages restants restent dans l'outbox et partiront avec le service (coordo start).`);
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
  return sent?.error ? 1 : 0;
}

const KEYS_PER_CLAIM = 500;

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
  private readonly total: DrainCounts = { claimed: 0, sent: 0, captured: 0, retried: 0, failed: 0, cancelled: 0 };
  private wake: (() => void) | undefined;
  private done = false;
  private readonly loop: Promise<void>;

  constructor(ctx: Awaited<ReturnType<CliIO["context"]>>) {
    ({ sender: this.sender, transport: this.transport } = createSender(ctx, { scope: this.scope }));
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
      const c = await this.sender.drainAll();
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
  async finish(allKeys: string[]): Promise<DrainCounts & { transport: boolean; error?: string }> {
    this.done = true;
    this.wake?.();
    let error: string | undefined;
    try {
      await this.loop;
      await this.drain(allKeys);
    } catch (e) {
      error = (e as Error).message ?? String(e);
    } finally {
      this.transport?.close();
    }
    return { ...this.total, transport: this.transport !== null, ...(error ? { error } : {}) };
  }
}
