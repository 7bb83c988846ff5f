// `coordo outbox [--etat …] [--cpts slug] [--limite N]` lists messages; `--voir ID` shows one in full
// (how captured mails are read when no SMTP is configured).
import { parseArgsFr } from "./args.ts";
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { OutboxRepository } from "../db/repos/outbox-repo.ts";
import { readCircuit } from "../db/repos/mail-circuit-repo.ts";
import { formatDateTimeFr } from "../rules/paris-time.ts";
import type { OutboxState } from "../db/generated/postgres/enums.ts";

const STATES: Record<string, OutboxState> = {
  en_attente: "EN_ATTENTE", en_cours: "EN_COURS", envoye: "ENVOYE", capture: "CAPTURE",
  echec_temporaire: "ECHEC_TEMPORAIRE", echec: "ECHEC", annule: "ANNULE",
};
const USAGE = `Utilisation : coordo outbox [--etat ${Object.keys(STATES).join("|")}] [--cpts slug] [--limite N] | coordo outbox --voir ID`;

const when = formatDateTimeFr;

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgsFr({ args, options: { etat: { type: "string", multiple: true }, cpts: { type: "string" }, limite: { type: "string" }, voir: { type: "string" } } });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const v = parsed.values;
  const states: OutboxState[] = [];
  for (const raw of v.etat ?? []) {
    const s = STATES[raw.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")] ?? (Object.values(STATES).includes(raw as OutboxState) ? (raw as OutboxState) : undefined);
    if (!s) {
      io.err(`État inconnu : « ${raw} ».\n${USAGE}`);
      return EXIT_USAGE;
    }
    states.push(s);
  }
  const limit = v.limite === undefined ? 30 : Number(v.limite);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    io.err(`--limite doit être un nombre entier entre 1 et 10 000.\n${USAGE}`);
    return EXIT_USAGE;
  }
  const ctx = await io.context();
  const repo = new OutboxRepository(ctx.db);
  if (v.voir) {
    const m = await repo.get(v.voir);
    if (!m) {
      io.err(`Message « ${v.voir} » introuvable.`);
      return 1;
    }
    io.out(`Message ${m.id} (${m.kind}, ${m.channel === "MAIL" ? "mail" : "chat"}) — état ${m.state.toLowerCase()}, ${m.attempts} essai(s)`);
    io.out(`À : ${m.recipient}`);
    if (m.subject) io.out(`Objet : ${m.subject}`);
    for (const [k, val] of Object.entries((m.headers ?? {}) as Record<string, string>)) io.out(`${k} : ${val}`);
    io.out(`Créé le ${when(m.createdAt)}${m.sentAt ? `, envoyé le ${when(m.sentAt)}` : ""}${m.providerId ? `, Message-ID ${m.providerId}` : ""}`);
    if (m.lastError) io.out(`Dernière erreur : ${m.lastError}`);
    io.out("");
    io.out(m.bodyText);
    return 0;
  }
  let cptsId: string | undefined;
  if (v.cpts) {
    const c = await ctx.db.cpts.findUnique({ where: { slug: v.cpts }, select: { id: true } });
    if (!c) {
      io.err(`CPTS « ${v.cpts} » introuvable.`);
      return EXIT_USAGE;
    }
    cptsId = c.id;
  }
  const circuit = await readCircuit(ctx.db);
  if (circuit.open) {
    io.out(
      `ENVOIS SUSPENDUS${circuit.openedAt ? ` depuis le ${when(circuit.openedAt)}` : ""} : le relais SMTP refuse l'envoi (${circuit.reason ?? "raison inconnue"}). ` +
        `Les mails restent en file, aucune adresse n'est mise en cause ; reprise automatique dès qu'un essai passe${circuit.nextProbeAt ? ` (prochain essai le ${when(circuit.nextProbeAt)})` : ""}.`,
    );
  }
  const counts = await repo.countByState(cptsId);
  io.out(`Outbox : ${Object.entries(counts).map(([s, n]) => `${n} ${s.toLowerCase()}`).join(", ") || "vide"}`);
  const rows = await repo.list({ cptsId, states: states.length ? states : undefined, limit });
  for (const r of rows) {
    io.out(`${r.id}  ${when(r.createdAt)}  ${r.state.toLowerCase().padEnd(16)} ${r.kind.padEnd(12)} ${r.recipient}  ${r.subject ?? r.channel.toLowerCase()}${r.lastError ? `  (${r.lastError.slice(0, 120)})` : ""}${r.state === "ECHEC_TEMPORAIRE" ? `  prochain essai le ${when(r.nextAttemptAt)}` : ""}`);
  }
  if (rows.length === limit) io.out(`… (les ${limit} plus récents ; --limite pour en voir plus, --voir ID pour lire un message)`);
  return 0;
}
