// French words for the product's internal keys (audit actions, job ids, run slots, ACI tariffs) and
// for durations: shared by the admin, the iCal feed, mails and chat, so no key reaches a person.

/** 0 → « aujourd'hui », 1 → « demain », 3 → « dans 3 jours », -1 → « hier », -2 → « il y a 2 jours ». */
export function daysFromTodayFr(days: number): string {
  if (days === 0) return "aujourd'hui";
  if (days === 1) return "demain";
  if (days === -1) return "hier";
  return days > 0 ? `dans ${days} jours` : `il y a ${-days} jours`;
}

/** A deadline still open: « aujourd'hui », « demain », « dans 3 jours », « en retard d'un jour », « en retard de 4 jours ». */
export function dueInFr(days: number): string {
  if (days >= 0) return daysFromTodayFr(days);
  return days === -1 ? "en retard d'un jour" : `en retard de ${-days} jours`;
}

export const JOB_LABELS: Record<string, string> = {
  "aci-deadline-alerts": "Alertes d'échéances",
  "crisis-plan-refresh": "Relecture du plan de crise",
  "crisis-reminders": "Rappels de crise",
  "database-backup": "Sauvegarde de la base",
  "dues-reminders": "Relances de cotisation",
  housekeeping: "Ménage technique",
  "newsletter-sends": "Envoi des newsletters",
  "vote-purge": "Clôture et purge des votes",
};
export const jobLabel = (id: string): string => JOB_LABELS[id] ?? "Tâche planifiée";

/** A run's slot: « lancée à la main » for `manual:<uuid>`, else the scheduled instant in Paris time. */
export function slotLabel(slot: string, formatInstant: (d: Date) => string): string {
  if (slot.startsWith("manual:")) return "lancée à la main";
  const d = new Date(slot);
  return Number.isNaN(d.getTime()) ? "créneau planifié" : formatInstant(d);
}

export const TARIFF_LABELS: Record<string, string> = { avenant_2: "avenant 2", avenant2: "avenant 2" };
export const tariffLabel = (key: string): string => TARIFF_LABELS[key] ?? key.replace(/^avenant_?(\d+)$/, "avenant $1");

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  "aci.avenant_ajoute": "Avenant ACI ajouté",
  "aci.contrat_cree": "Contrat ACI créé",
  "aci.indicateur_resultat": "Résultat d'indicateur saisi",
  "aci.mission_modifiee": "Mission ACI modifiée",
  "modele.enregistre": "Modèle de message enregistré",
  "modele.reinitialise": "Modèle de message remis par défaut",
  "modele.restaure": "Ancienne version de modèle de message rétablie",
  "modele.test": "Modèle de message : envoi de test",
  "adherent.adresse_retablie": "Adresse d'adhérent rétablie",
  "adherent.cree": "Adhérent créé",
  "adherent.modifie": "Adhérent modifié",
  "adherents.export": "Export des adhérents",
  "adherents.import": "Import d'adhérents",
  "admin.compte_cree": "Compte d'administration créé",
  "admin.connexion": "Connexion à l'administration",
  "admin.connexion_refusee": "Connexion refusée",
  "admin.mot_de_passe": "Mot de passe changé",
  "chat.discord_ajoute": "Discord ajouté",
  "chat.slack_installe": "Slack installé",
  "cotisation.enregistree": "Cotisation enregistrée",
  "cotisation.remboursee": "Cotisation remboursée",
  "cpam_receipt.create": "Versement CPAM enregistré",
  "cpam_receipt.delete": "Versement CPAM supprimé",
  "cpts.commune_ajoutee": "Commune ajoutée",
  "cpts.commune_retiree": "Commune retirée",
  "cpts.cotisation_tarif": "Tarif de cotisation modifié",
  "cpts.ical_regenere": "Adresse du calendrier régénérée",
  "cpts.indemnisation": "Règles d'indemnisation modifiées",
  "cpts.indemnite_regle_ajoutee": "Règle d'indemnité ajoutée",
  "cpts.indemnite_regle_retiree": "Règle d'indemnité retirée",
  "cpts.modifiee": "Fiche de la CPTS modifiée",
  "cpts.politique_relance": "Politique de relance modifiée",
  "crise.activee": "Crise déclenchée",
  "crise.cloturee": "Crise clôturée",
  "crise.marquee_exercice": "Crise marquée comme exercice",
  "crise.marquee_reelle": "Crise marquée comme réelle",
  "crise.rappel": "Rappel de crise envoyé",
  "crise.reponse_lien": "Réponse à l'appel (lien du mail)",
  "crise.reponse_notee": "Réponse à l'appel notée",
  "crisis_plan.review": "Relecture du plan de crise",
  "crisis_plan.version": "Version du plan de crise",
  "deadline.done": "Échéance marquée faite",
  "deadline.undone": "Échéance de nouveau à faire",
  "demo.load": "Données de démonstration chargées",
  "dues.reminders": "Relances de cotisation",
  "fact.create": "Fait daté saisi",
  "fact.delete": "Fait daté supprimé",
  "federation.adhesion": "Adhésion à l'inter-CPTS",
  "federation.creee": "Inter-CPTS créée",
  "federation.depart": "Départ de l'inter-CPTS",
  "federation.representant": "Représentant à l'inter-CPTS",
  "governance.create": "Changement de gouvernance saisi",
  "indemnites.export": "Export des indemnités",
  "meeting.close": "Réunion clôturée",
  "meeting.open": "Réunion ouverte",
  "member.email_bounced": "Adresse refusée (rebond)",
  "member.erase": "Adhérent effacé",
  "member.spam_complaint": "Signalement comme indésirable",
  "newsletter.creee": "Newsletter créée",
  "newsletter.deprogrammee": "Newsletter déprogrammée",
  "newsletter.modifiee": "Newsletter modifiée",
  "newsletter.programmee": "Newsletter programmée",
  "newsletter.send": "Newsletter envoyée",
  "newsletter.test": "Newsletter envoyée en test",
  "paiement.rejete": "Paiement rejeté",
  "plan_crise.relecture": "Relecture du plan de crise demandée",
  "plan_crise.responsable": "Responsable de section du plan de crise",
  "preferences.unsubscribe": "Désinscription",
  "reunion.emargement": "Émargement de réunion",
  "vote.cree": "Vote créé",
};
/** An audit action key in French; an unknown key becomes « Autre action » rather than leaking. */
export const auditActionLabel = (action: string): string => AUDIT_ACTION_LABELS[action] ?? "Autre action";

/** The author of a journal line: « admin:x@y » → x@y, « job:dues-reminders » → « Tâche : Relances de cotisation ». */
export function actorLabel(actor: string): string {
  if (actor.startsWith("admin:")) return actor.slice(6);
  if (actor.startsWith("job:")) return `Tâche : ${jobLabel(actor.slice(4))}`;
  if (actor.startsWith("chat:")) return `Chat (${actor.split(":")[1] ?? ""})`;
  if (actor === "cli") return "Ligne de commande";
  return actor;
}

const MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
/** "2026-01-01" → « 1er janvier 2026 », "2025-06-30" → « 30 juin 2025 ». */
export function formatDateLongFr(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return `${d === 1 ? "1er" : d} ${MONTHS_FR[m - 1]} ${y}`;
}

const CHAT_PLATFORM_LABELS: Record<string, string> = { discord: "Discord", slack: "Slack", console: "Console" };
/** Where an outbox message goes, in words: an e-mail address as is, a chat channel « Discord · salon #alertes » (never « console:console:alertes »). */
export function recipientLabel(recipient: string, channel: "MAIL" | "CHAT"): string {
  if (channel !== "CHAT") return recipient;
  const [platform = "", , ...rest] = recipient.split(":");
  const name = rest.join(":");
  const where = !name || /^(\d{6,}|[CG][A-Z0-9]{8,})$/.test(name) ? "salon configuré" : `salon #${name.replace(/^#/, "")}`;
  return `${CHAT_PLATFORM_LABELS[platform.toLowerCase()] ?? "Chat"} · ${where}`;
}
