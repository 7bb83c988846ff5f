// French labels of states shown in the admin.
import type { DeadlineState } from "../rules/deadlines.ts";

export const OUTBOX_STATE_LABELS: Record<string, string> = {
  EN_ATTENTE: "En attente", EN_COURS: "En cours", ENVOYE: "Envoyé", CAPTURE: "Capturé (sans SMTP)", ECHEC_TEMPORAIRE: "Échec temporaire (nouvel essai prévu)", ECHEC: "Échec définitif", ANNULE: "Annulé",
};
export const JOB_STATE_LABELS: Record<string, string> = { EN_COURS: "en cours", TERMINE: "terminée", ECHEC: "échec" };

/** "42 s", "3 min 05 s", "—" while the run is going on. */
export function formatRunDuration(startedAt: Date, finishedAt: Date | null): string {
  if (!finishedAt) return "—";
  const s = Math.max(0, Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}
export const DEADLINE_STATE_LABELS: Record<DeadlineState, string> = { a_venir: "à venir", imminent: "imminente", en_retard: "en retard", fait: "faite" };
export const NEWSLETTER_STATE_LABELS: Record<string, string> = { BROUILLON: "Brouillon", PROGRAMMEE: "Programmée", EN_COURS: "En cours d'envoi", ENVOYEE: "Envoyée", ANNULEE: "Annulée" };
export const AUDIENCE_LABELS: Record<string, string> = { ADHERENTS: "Tous les adhérents", PROFESSIONS: "Certaines professions (adhérents)", TERRITOIRE: "Tous les professionnels du territoire", FEDERATION: "Les CPTS de la fédération" };
export const CADENCE_LABELS: Record<string, string> = { MENSUELLE: "Mensuelle", TRIMESTRIELLE: "Trimestrielle", SEMESTRIELLE: "Semestrielle", AUCUNE: "Aucune" };
export const MISSION_KIND_LABELS: Record<string, string> = {
  ACCES_SOINS: "Accès aux soins", PARCOURS: "Parcours pluriprofessionnels", PREVENTION: "Prévention", CRISE: "Crises sanitaires graves", QUALITE: "Qualité et pertinence des soins", ACCOMPAGNEMENT: "Accompagnement des professionnels",
};
export const PAYMENT_METHOD_LABELS: Record<string, string> = { VIREMENT: "Virement", CARTE: "Carte", CHEQUE: "Chèque", ESPECES: "Espèces", AUTRE: "Autre" };
export const PAYMENT_SOURCE_LABELS: Record<string, string> = { MANUEL: "Saisie manuelle", HELLOASSO: "HelloAsso", CSV: "Import CSV", YAPLA: "Yapla", STRIPE: "Stripe" };

export function deadlineBadge(state: DeadlineState): "ok" | "warn" | "bad" | undefined {
  return state === "fait" ? "ok" : state === "en_retard" ? "bad" : state === "imminent" ? "warn" : undefined;
}
