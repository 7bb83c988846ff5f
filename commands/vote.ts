// /vote: AG e-votes. The coordination (or the bureau) creates a vote; members vote with the
// buttons or /vote voter; a proxy (pouvoir) is given with /vote pouvoir; /vote voir shows the live
// turnout and quorum, then the results once closed.
import { z } from "zod";
import { defineCommand, ROLE_RANK, type CommandContext, type Reply } from "./types.ts";
import { castVote, closeVote, createVote, formatResults, giveProxy, listVotes, voteStatus, DEFAULT_OPTIONS, type Turnout } from "../src/app/services/votes.ts";
import { VoteRepository } from "../src/db/repos/vote-repo.ts";
import { UserError } from "../src/app/errors.ts";
import { formatDateFr, isIsoDate } from "../src/rules/dates.ts";
import { formatParisDateTimeFr, parseParisWallTime } from "../src/rules/paris-time.ts";

const ACTIONS = ["liste", "creer", "voter", "pouvoir", "voir", "clore"] as const;
const EXAMPLE = '/vote creer question="Approuvez-vous les comptes 2025 ?" cloture="2026-06-30 20:00" quorum=25';

function turnoutText(t: Turnout, federation: boolean): string {
  const quorum = t.quorumPercent ? ` — quorum ${t.quorumPercent} % ${t.quorumReached ? "atteint" : "non atteint"}` : "";
  const consult = federation ? ` ; collège consultatif : ${t.voted.consultatif}/${t.eligible.consultatif}` : "";
  return `Participation : ${t.voted.deliberatif}/${t.eligible.deliberatif} (${String(t.percent).replace(".", ",")} %), dont ${t.proxies} pouvoir(s) donné(s)${quorum}${consult}.`;
}

function requireMember(ctx: CommandContext): string {
  if (!ctx.caller.memberId) throw new UserError("Votre compte de chat n'est relié à aucun adhérent : reliez-le d'abord avec /adhesion.");
  return ctx.caller.memberId;
}

async function resolveVoteId(ctx: CommandContext, id: string | undefined): Promise<string> {
  if (id) return id;
  const open = (await listVotes(ctx.app, ctx.cpts.id)).filter((v) => v.state === "OUVERT");
  if (open.length === 1) return open[0]!.id;
  throw new UserError(open.length ? "Plusieurs votes sont ouverts : précisez lequel avec id=… (voir /vote liste)." : "Aucun vote n'est ouvert.");
}

async function memberIdByEmail(ctx: CommandContext, email: string): Promise<string> {
  const m = await new VoteRepository(ctx.app.db).memberByEmail(ctx.cpts.id, email.trim().toLowerCase());
  if (!m) throw new UserError(`Aucun adhérent de la ${ctx.cpts.name} n'a l'adresse « ${email} ».`);
  return m.id;
}

async function ballotReply(ctx: CommandContext, voteId: string, intro?: string): Promise<Reply> {
  const s = await voteStatus(ctx.app, ctx.cpts.id, voteId);
  const header = `${s.secret ? "Vote à bulletin secret" : "Vote public"}, du ${formatParisDateTimeFr(s.opensAt)} au ${formatParisDateTimeFr(s.closesAt)}. Votants : adhérents à jour de cotisation au ${formatDateFr(s.eligibilityCutoff)}${s.maxProxiesPerHolder ? ` ; ${s.maxProxiesPerHolder} pouvoir(s) au plus par personne` : ""}.`;
  if (s.state !== "OUVERT") {
    return { title: `Vote clos : ${s.question}`, text: s.results ? formatResults(s.question, s.results, s.federation) : "Résultats purgés." };
  }
  const ttlMinutes = Math.max(1, Math.ceil((s.closesAt.getTime() - ctx.app.clock.now().getTime()) / 60_000));
  return {
    title: `Vote : ${s.question}`,
    text: [intro, header, turnoutText(s.turnout!, s.federation), `Identifiant : ${s.id}`].filter(Boolean).join("\n"),
    buttons: await Promise.all(
      s.options.map((choice) => ctx.button({ action: "choix", label: choice, style: "primary", payload: { voteId: s.id, choice }, anyone: true, reusable: true, ttlMinutes })),
    ),
  };
}

export const vote = defineCommand({
  name: "vote",
  description: "Votes d'AG : créer un vote, voter, donner pouvoir, suivre la participation et les résultats",
  requiredRole: "adherent",
  options: [
    { name: "action", description: "liste (par défaut), creer, voter, pouvoir, voir ou clore", type: "string", choices: ACTIONS.map((a) => ({ label: a, value: a })), hint: `une action parmi ${ACTIONS.join(", ")}` },
    { name: "question", description: "La question soumise au vote (creer)", type: "string", hint: "une question de 5 à 500 caractères" },
    { name: "choix", description: "Votre choix (voter), ou la liste des choix séparés par des virgules (creer)", type: "string", hint: `un choix, ou une liste « ${DEFAULT_OPTIONS.join(",")} »` },
    { name: "ouverture", description: "Ouverture (creer ; par défaut maintenant)", type: "string", hint: "une date et heure AAAA-MM-JJ HH:MM (heure de Paris)" },
    { name: "cloture", description: "Clôture (creer)", type: "string", hint: "une date et heure AAAA-MM-JJ HH:MM (heure de Paris)" },
    { name: "secret", description: "Bulletin secret (par défaut oui)", type: "boolean", hint: "oui ou non" },
    { name: "eligibilite", description: "Date à laquelle la cotisation doit être à jour (par défaut aujourd'hui)", type: "string", hint: "une date AAAA-MM-JJ" },
    { name: "quorum", description: "Quorum en % des votants (par défaut 0)", type: "integer", hint: "un pourcentage entre 0 et 100" },
    { name: "pouvoirs", description: "Nombre maximal de pouvoirs par mandataire (par défaut : statuts)", type: "integer", hint: "un nombre entre 0 et 20" },
    { name: "id", description: "L'identifiant du vote (facultatif s'il n'y en a qu'un ouvert)", type: "string", hint: "l'identifiant affiché par /vote liste" },
    { name: "mandataire", description: "pouvoir : l'e-mail de l'adhérent qui votera pour vous", type: "string", hint: "une adresse e-mail d'adhérent" },
    { name: "pour", description: "voter : l'e-mail de l'adhérent qui vous a donné pouvoir", type: "string", hint: "une adresse e-mail d'adhérent" },
  ],
  schema: z.object({
    action: z.enum(ACTIONS).default("liste"),
    question: z.string().trim().min(5).max(500).optional(),
    choix: z.string().trim().min(1).max(400).optional(),
    ouverture: z.string().optional(),
    cloture: z.string().optional(),
    secret: z.boolean().default(true),
    eligibilite: z.string().refine(isIsoDate).optional(),
    quorum: z.number().int().min(0).max(100).default(0),
    pouvoirs: z.number().int().min(0).max(20).optional(),
    id: z.string().trim().min(1).max(64).optional(),
    mandataire: z.email().optional(),
    pour: z.email().optional(),
  }),
  example: EXAMPLE,
  actionRoles: { choix: "adherent" },
  async run(ctx, input) {
    switch (input.action) {
      case "liste": {
        const votes = await listVotes(ctx.app, ctx.cpts.id);
        if (!votes.length) return { text: `Aucun vote en cours ni clos. La coordination crée un vote avec : ${EXAMPLE}`, ephemeral: true };
        return {
          title: "Votes",
          text: votes
            .slice(0, 15)
            .map((v) => `• ${v.question} — ${v.state === "OUVERT" ? `ouvert jusqu'au ${formatParisDateTimeFr(v.closesAt)}` : "clos"} (id=${v.id})`)
            .join("\n") + (votes.length > 15 ? `\n… et ${votes.length - 15} vote(s) plus ancien(s) : voir la page Votes d'AG de l'administration (/admin/votes).` : ""),
          ephemeral: true,
        };
      }
      case "creer": {
        if (ROLE_RANK[ctx.caller.role] < ROLE_RANK.bureau) return { text: "Créer un vote est réservé à la coordination et au bureau.", ephemeral: true };
        if (!input.question || !input.cloture) return { text: `Indiquez au moins la question et la clôture. Exemple : ${EXAMPLE}`, ephemeral: true };
        const closing = parseParisWallTime(input.cloture);
        const opening = input.ouverture ? parseParisWallTime(input.ouverture) : { ok: true as const, instant: ctx.app.clock.now() };
        if (!closing.ok) return { text: `Clôture : ${closing.message}`, ephemeral: true };
        if (!opening.ok) return { text: `Ouverture : ${opening.message}`, ephemeral: true };
        const closesAt = closing.instant;
        const opensAt = opening.instant;
        const created = await createVote(
          ctx.app,
          ctx.cpts.id,
          {
            question: input.question,
            options: input.choix ? input.choix.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
            opensAt,
            closesAt,
            secret: input.secret,
            eligibilityCutoff: input.eligibilite ?? ctx.today,
            quorumPercent: input.quorum,
            maxProxiesPerHolder: input.pouvoirs,
          },
          { memberId: requireMember(ctx), label: ctx.actor },
        );
        return ballotReply(ctx, created.id, "Vote créé. Chaque adhérent à jour vote une fois avec les boutons ci-dessous.");
      }
      case "voter": {
        if (!input.choix) return { text: "Indiquez votre choix : /vote voter choix=Pour (ou utilisez les boutons du vote).", ephemeral: true };
        const voteId = await resolveVoteId(ctx, input.id);
        const forMemberId = input.pour ? await memberIdByEmail(ctx, input.pour) : undefined;
        const r = await castVote(ctx.app, ctx.cpts.id, { voteId, memberId: requireMember(ctx), choice: input.choix, forMemberId });
        return { text: `A voté${input.pour ? ` (pour ${input.pour}, par pouvoir)` : ""} : « ${r.choice} ». ${turnoutText(r.turnout, false)}`, ephemeral: true };
      }
      case "pouvoir": {
        if (!input.mandataire) return { text: "Indiquez qui votera pour vous : /vote pouvoir mandataire=prenom.nom@exemple.fr", ephemeral: true };
        const voteId = await resolveVoteId(ctx, input.id);
        const r = await giveProxy(ctx.app, ctx.cpts.id, { voteId, giverId: requireMember(ctx), holderId: await memberIdByEmail(ctx, input.mandataire) });
        return { text: `Pouvoir donné à ${r.holderName} (${r.held} pouvoir(s) détenu(s)). Cette personne vote pour vous avec /vote voter choix=… pour=${ctx.caller.email ?? "votre e-mail"}.`, ephemeral: true };
      }
      case "voir":
        return ballotReply(ctx, await resolveVoteId(ctx, input.id));
      case "clore": {
        if (ROLE_RANK[ctx.caller.role] < ROLE_RANK.bureau) return { text: "Clore un vote est réservé à la coordination et au bureau.", ephemeral: true };
        const voteId = await resolveVoteId(ctx, input.id);
        const s = await voteStatus(ctx.app, ctx.cpts.id, voteId);
        const r = await closeVote(ctx.app, ctx.cpts.id, voteId);
        return { title: "Vote clos", text: formatResults(s.question, r, s.federation) };
      }
    }
  },
  async onAction(ctx, _action, payload) {
    const r = await castVote(ctx.app, ctx.cpts.id, { voteId: String(payload.voteId), memberId: requireMember(ctx), choice: String(payload.choice) });
    return { text: `A voté : « ${r.choice} ». ${turnoutText(r.turnout, false)}`, ephemeral: true };
  },
});
