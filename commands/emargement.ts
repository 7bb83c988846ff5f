// /emargement: the coordinator opens a meeting's attendance sheet; members press « Présent »;
// closing it computes, records and charges the indemnities to the mission envelope.
import { z } from "zod";
import { defineCommand, type CommandContext, type Reply } from "./types.ts";
import { isIsoDate, formatDateFr, formatEuros } from "../src/rules/index.ts";
import { EnvelopeOverrunError, MEETING_MISSIONS, closeMeeting, openMeeting, signAttendance } from "../src/app/services/meetings.ts";
import { MeetingRepository } from "../src/db/repos/meeting-repo.ts";

const EXAMPLE = "/emargement titre=\"Groupe de travail SNP\" mission=acces_soins duree=90";
const SHEET_TTL_MINUTES = 7 * 24 * 60;
const missions = Object.keys(MEETING_MISSIONS) as [string, ...string[]];

async function closeReply(ctx: CommandContext, meetingId: string, force: boolean): Promise<Reply> {
  try {
    const closed = await closeMeeting(ctx.app, ctx.cpts.id, meetingId, ctx.actor, { force });
    const paid = closed.lines.filter((l) => l.amountCents > 0);
    return {
      title: `Émargement clos : ${closed.title}`,
      text: `${paid.length} indemnité(s) enregistrée(s), total ${formatEuros(closed.totalCents)}, imputé sur l'enveloppe « ${MEETING_MISSIONS[closed.mission]} »${closed.envelope ? ` (reste ${formatEuros(closed.envelope.remainingCents)}${closed.envelope.forced ? ", imputation forcée" : ""})` : ""}.`,
      fields: [
        ...closed.lines.map((l) => ({ name: l.name, value: `${formatEuros(l.amountCents)} — ${l.explanation}` })),
        ...closed.excluded.map((r) => ({ name: `${r.name} (non indemnisé)`, value: r.message })),
        ...closed.refused.map((r) => ({ name: `${r.name} (non indemnisé)`, value: r.message })),
      ],
      ephemeral: true,
    };
  } catch (e) {
    if (!(e instanceof EnvelopeOverrunError) || force) throw e;
    return {
      text: e.message,
      confirm: "Forcer l'imputation enregistre les indemnités malgré le dépassement ; elles seront marquées « forcées ».",
      buttons: [await ctx.button({ action: "forcer", label: "Forcer l'imputation", style: "danger", payload: { meetingId } })],
      ephemeral: true,
    };
  }
}

export const emargement = defineCommand({
  name: "emargement",
  description: "Ouvrir la feuille d'émargement d'une réunion, la clore et calculer les indemnités",
  requiredRole: "coordonnateur",
  options: [
    { name: "titre", description: "Le titre de la réunion (vide : les émargements ouverts)", type: "string", hint: "un titre entre 3 et 120 caractères" },
    { name: "mission", description: "La mission qui finance la réunion", type: "string", choices: Object.entries(MEETING_MISSIONS).map(([value, label]) => ({ label, value })), hint: `une mission parmi ${missions.join(", ")}` },
    { name: "duree", description: "Durée en minutes", type: "integer", hint: "une durée en minutes entre 15 et 600, par exemple 90" },
    { name: "date", description: "Date de la réunion (par défaut aujourd'hui)", type: "string", hint: "une date AAAA-MM-JJ" },
  ],
  schema: z.object({
    titre: z.string().trim().min(3).max(120).optional(),
    mission: z.enum(missions).optional(),
    duree: z.number().int().min(15).max(600).optional(),
    date: z.string().refine(isIsoDate).optional(),
  }),
  example: EXAMPLE,
  slow: true,
  actionRoles: { present: "adherent" },
  async run(ctx, input) {
    if (!input.titre) {
      const open = await new MeetingRepository(ctx.app.db).listOpen(ctx.cpts.id);
      if (!open.length) return { text: `Aucun émargement ouvert. Pour en ouvrir un : ${EXAMPLE}`, ephemeral: true };
      return {
        title: "Émargements ouverts",
        text: open.map((m) => `• ${m.title} — ${formatDateFr(m.heldOn)}, ${m.durationMin} min, ${m._count.attendances} présent(s)`).join("\n"),
        buttons: await Promise.all(open.map((m) => ctx.button({ action: "clore", label: `Clore : ${m.title}`.slice(0, 75), style: "primary", payload: { meetingId: m.id } }))),
        ephemeral: true,
      };
    }
    if (!input.mission || !input.duree) {
      return { text: `Pour ouvrir un émargement, indiquez aussi la mission et la durée. Exemple : ${EXAMPLE}`, ephemeral: true };
    }
    const meeting = await openMeeting(ctx.app, {
      cptsId: ctx.cpts.id, title: input.titre, mission: input.mission, durationMin: input.duree, heldOn: input.date ?? ctx.today, openedBy: ctx.actor, chatChannel: ctx.channelId,
    });
    return {
      title: `Émargement : ${meeting.title}`,
      text: `${formatDateFr(meeting.heldOn)}, ${meeting.durationMin} min, mission « ${MEETING_MISSIONS[meeting.mission]} ». Adhérents présents : appuyez sur « Présent ».`,
      buttons: [
        await ctx.button({ action: "present", label: "Présent", style: "success", payload: { meetingId: meeting.id }, anyone: true, reusable: true, ttlMinutes: SHEET_TTL_MINUTES }),
        await ctx.button({ action: "clore", label: "Clore et calculer les indemnités", style: "primary", payload: { meetingId: meeting.id }, ttlMinutes: SHEET_TTL_MINUTES }),
      ],
    };
  },
  async onAction(ctx, action, payload) {
    const meetingId = String(payload.meetingId);
    if (action === "present") {
      const r = await signAttendance(ctx.app, ctx.cpts.id, meetingId, ctx.caller.memberId!);
      return { text: r.signed ? `Présence enregistrée : ${ctx.caller.name}, « ${r.title} » (${r.count} présent(s)).` : `Vous aviez déjà signé « ${r.title} ».`, ephemeral: true };
    }
    return closeReply(ctx, meetingId, action === "forcer");
  },
});
