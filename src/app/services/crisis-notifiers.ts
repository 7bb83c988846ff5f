// How a crisis alert reaches people, one notifier per channel: the chat (alert channel of every
// workspace of the CPTS) and mail (every professional of the territory, with one-click answer
// links). Each notifier turns one alert into outbox drafts written in the activation's
// transaction; an SMS notifier would be one more implementation of CrisisNotifier (its drafts on a
// new outbox channel and a sender for it), nothing else changes. From, Reply-To (the CPTS's
// coordination: Cpts.mailReplyTo, else its contact address) and Auto-Submitted are set by the
// sender's identity (src/mail/identity.ts) for every mail, this one included.
import { createHash } from "node:crypto";
import type { Config } from "../../config.ts";
import { publicUrl } from "../../config.ts";
import { secretToken } from "../../db/secret-token.ts";
import { renderMail } from "../../mail/template.ts";
import { alerteCriseTemplate } from "../../../templates/mail/index.ts";
import { formatDateFr } from "../../rules/dates.ts";
import type { OutboxDraft } from "./outbox.ts";
import type { MailWordingText } from "../../mail/wording.ts";

export interface CrisisAlert {
  cptsId: string;
  cptsName: string;
  activationId: string;
  situationLabel: string;
  description: string | null;
  activatedOn: string;
  exercise: boolean;
  /** "alerte": the activation; "rappel": the reminder to those who have not answered. */
  kind: "alerte" | "rappel";
  /** The CPTS's own wording of the alert mail (« Modèles de messages »), if any. */
  wording?: MailWordingText | null;
}

export interface CrisisRecipient {
  id: string;
  email: string | null;
  firstName: string | null;
}

export interface CrisisNotification {
  drafts: OutboxDraft[];
  /** One-click answer tokens to store (hashes only), one per mail sent. */
  tokens: { activationId: string; memberId: string; tokenHash: string }[];
}

export interface CrisisNotifier {
  channel: "chat" | "mail";
  notify(alert: CrisisAlert, to: { members: CrisisRecipient[]; chatChannels: string[] }): CrisisNotification;
}

/** « EXERCICE » on every message of an exercise. */
export const exercisePrefix = (exercise: boolean) => (exercise ? "[EXERCICE] " : "");

export function hashAnswerToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function answerUrl(config: Config, token: string, available: boolean): string {
  return `${publicUrl(config)}/crise/reponse/${token}?dispo=${available ? "oui" : "non"}`;
}

const refKey = (a: CrisisAlert) => (a.kind === "alerte" ? "" : ":rappel");

export const chatCrisisNotifier: CrisisNotifier = {
  channel: "chat",
  notify(a, { chatChannels }) {
    const text =
      a.kind === "alerte"
        ? `${exercisePrefix(a.exercise)}🚨 PLAN DE CRISE ACTIVÉ${a.exercise ? " (EXERCICE)" : ""} — ${a.situationLabel}.\n` +
          (a.description ? `${a.description}\n` : "") +
          `Êtes-vous disponible ? Répondez avec les boutons « Disponible » / « Indisponible » ou tapez /plan-crise disponible (ou indisponible).`
        : `${exercisePrefix(a.exercise)}Rappel — plan de crise${a.exercise ? " (EXERCICE)" : ""} : ${a.situationLabel}. Si vous n'avez pas encore répondu, tapez /plan-crise disponible ou /plan-crise indisponible.`;
    return {
      drafts: chatChannels.map((recipient) => ({
        cptsId: a.cptsId,
        idempotencyKey: `crise:${a.activationId}${refKey(a)}:chat:${recipient}`,
        channel: "CHAT" as const,
        kind: a.kind === "alerte" ? "crise" : "crise_rappel",
        recipient,
        bodyText: text,
        refType: "crise",
        refId: a.activationId,
      })),
      tokens: [],
    };
  },
};

export function mailCrisisNotifier(config: Config): CrisisNotifier {
  return {
    channel: "mail",
    notify(a, { members }) {
      const drafts: OutboxDraft[] = [];
      const tokens: CrisisNotification["tokens"] = [];
      for (const m of members) {
        if (!m.email) continue;
        const token = secretToken() + secretToken().slice(0, 8); // 240 random bits
        tokens.push({ activationId: a.activationId, memberId: m.id, tokenHash: hashAnswerToken(token) });
        const mail = renderMail(alerteCriseTemplate, {
          cptsName: a.cptsName,
          firstName: m.firstName ?? undefined,
          situation: a.situationLabel,
          description: a.description ?? undefined,
          activatedOn: formatDateFr(a.activatedOn),
          exercise: a.exercise,
          reminder: a.kind === "rappel",
          availableUrl: answerUrl(config, token, true),
          unavailableUrl: answerUrl(config, token, false),
          wording: a.wording ?? undefined,
        });
        drafts.push({
          cptsId: a.cptsId,
          idempotencyKey: `crise:${a.activationId}${refKey(a)}:mail:${m.id}`,
          channel: "MAIL",
          kind: a.kind === "alerte" ? "crise" : "crise_rappel",
          recipient: m.email,
          memberId: m.id,
          subject: mail.subject,
          bodyText: mail.text,
          bodyHtml: mail.html,
          refType: "crise",
          refId: a.activationId,
        });
      }
      return { drafts, tokens };
    },
  };
}

/** The notifiers of a crisis alert, in order. */
export function crisisNotifiers(config: Config): CrisisNotifier[] {
  return [chatCrisisNotifier, mailCrisisNotifier(config)];
}
