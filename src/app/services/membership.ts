// Linking a chat account to a member (e-mail + one-time code sent by mail) and applying as a new
// member from the chat with the RGPD notice shown and consent recorded.
import { createHash, randomInt } from "node:crypto";
import type { AppContext } from "../context.ts";
import { isUniqueViolation, type Db } from "../../db/client.ts";
import { UserError, excerpt } from "../errors.ts";
import { ChatRepository } from "../../db/repos/chat-repo.ts";
import { MemberRepository, memberName, type MemberWithRoles } from "../../db/repos/member-repo.ts";
import { enqueueMessages, inTransaction } from "./outbox.ts";
import { isKnownProfession, professionLabel } from "../../rules/professions.ts";
import { renderMail } from "../../mail/template.ts";
import { codeLiaisonTemplate } from "../../../templates/mail/code-liaison.ts";
import { demandeAdhesionTemplate } from "../../../templates/mail/demande-adhesion.ts";

export const LINK_CODE_MINUTES = 15;
/** Codes mailed per hour, per chat account and per member (a member's mailbox cannot be flooded). */
export const LINK_CODES_PER_HOUR = 3;
/** Wrong tries are counted across codes; the count starts again a day after the last code expired. */
export const LINK_ATTEMPTS_WINDOW_HOURS = 24;
export const RGPD_TEXT_VERSION = "rgpd-chat-v1";
/** Wrong codes accepted in a day, whatever the number of codes asked (a 6-digit code cannot be guessed in 5 tries). */
export const LINK_CODE_MAX_TRIES = 5;
const TOO_MANY_TRIES = `Trop d'essais : ce code est annulé après ${LINK_CODE_MAX_TRIES} codes erronés. Demandez un nouveau code avec /adhesion lier email=votre@adresse dans ${LINK_ATTEMPTS_WINDOW_HOURS} heures.`;
const TOO_MANY_CODES = `Trop de codes demandés : ${LINK_CODES_PER_HOUR} par heure au plus. Utilisez le dernier code reçu, ou réessayez dans une heure.`;

export function rgpdNotice(cptsName: string, contactEmail: string | null): string {
  return (
    `Protection de vos données : la ${cptsName} enregistre votre nom, votre profession, votre commune et votre adresse mail ` +
    "pour gérer votre adhésion, vos cotisations et vous envoyer les informations de la CPTS. Ces données ne sont ni vendues ni " +
    "transmises hors de l'association ; elles sont conservées le temps de votre adhésion puis archivées pour les obligations comptables. " +
    `Vous pouvez à tout moment les consulter (/mes-donnees), les faire rectifier ou effacer${contactEmail ? ` (${contactEmail})` : ""}.`
  );
}

const hashCode = (identityId: string, code: string) => createHash("sha256").update(`${identityId}:${code}`).digest("hex");

/**
 * Sends a one-time code to the address if it belongs to a member of this CPTS. The answer does
 * not say whether the address is known (no membership enumeration from the chat).
 */
export async function startLink(ctx: AppContext, cptsId: string, cptsName: string, identityId: string, email: string): Promise<void> {
  const members = new MemberRepository(ctx.db);
  const member = await members.findByEmail(cptsId, email);
  const chat = new ChatRepository(ctx.db);
  const now = ctx.clock.now();
  const identity = await ctx.db.chatIdentity.findUniqueOrThrow({ where: { id: identityId }, select: { linkAttempts: true, linkExpires: true } });
  const windowOver = !identity.linkExpires || identity.linkExpires.getTime() < now.getTime() - LINK_ATTEMPTS_WINDOW_HOURS * 3_600_000;
  if (!windowOver && identity.linkAttempts >= LINK_CODE_MAX_TRIES) throw new UserError(TOO_MANY_TRIES, "code");
  // per chat account: codes this account had mailed this hour (whatever the address)
  const hour = Math.floor(now.getTime() / 3_600_000);
  const mine = await ctx.db.outboxMessage.count({ where: { cptsId, kind: "code", refType: "chat_identity", refId: identityId, idempotencyKey: { contains: `:${hour}:` } } });
  if (mine >= LINK_CODES_PER_HOUR) throw new UserError(TOO_MANY_CODES, "email");
  if (!member || !member.email) {
    await chat.forgetLinkCode(identityId, email.toLowerCase());
    return;
  }
  await sendLinkCode(ctx, cptsId, cptsName, identityId, member, windowOver);
}

/**
 * Mails a code for `member` to the identity, unless the member already got LINK_CODES_PER_HOUR
 * codes this hour (from any chat account): the idempotency key `code:<member>:<hour>:<slot>` makes
 * the cap hold under concurrent requests. A refusal says nothing about the address (enumeration).
 */
async function sendLinkCode(ctx: AppContext, cptsId: string, cptsName: string, identityId: string, member: MemberWithRoles, resetAttempts: boolean): Promise<boolean> {
  const now = ctx.clock.now();
  const hour = Math.floor(now.getTime() / 3_600_000);
  const sent = await ctx.db.outboxMessage.count({ where: { cptsId, kind: "code", memberId: member.id, idempotencyKey: { startsWith: `code:${member.id}:${hour}:` } } });
  if (sent >= LINK_CODES_PER_HOUR) {
    ctx.log.warn("code de liaison refusé : trop de codes pour ce membre cette heure-ci", { memberId: member.id });
    return false;
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const mail = renderMail(codeLiaisonTemplate, { cptsName, memberName: memberName(member), code, minutes: LINK_CODE_MINUTES });
  return inTransaction(ctx.db, async (tx) => {
    const inserted = await enqueueMessages(tx, [
      {
        cptsId,
        idempotencyKey: `code:${member.id}:${hour}:${sent + 1}`,
        channel: "MAIL",
        kind: "code",
        recipient: member.email!,
        memberId: member.id,
        subject: mail.subject,
        bodyText: mail.text,
        bodyHtml: mail.html,
        refType: "chat_identity",
        refId: identityId,
      },
    ]);
    // another request took this slot meanwhile: no code, no change
    if (inserted === 0) return false;
    await new ChatRepository(tx as unknown as Db).setLinkCode(
      identityId,
      { linkCode: hashCode(identityId, code), linkEmail: member.email!, linkExpires: new Date(now.getTime() + LINK_CODE_MINUTES * 60_000) },
      resetAttempts,
    );
    return true;
  }).catch((e) => {
    // many requests raced for the same slot: it is taken, no code from this one
    if (isUniqueViolation(e)) return false;
    throw e;
  });
}

export async function confirmLink(ctx: AppContext, cptsId: string, identityId: string, code: string): Promise<{ memberId: string; name: string }> {
  const chat = new ChatRepository(ctx.db);
  const identity = await ctx.db.chatIdentity.findFirst({ where: { id: identityId, workspace: { cptsId } } });
  const expired = !identity?.linkExpires || identity.linkExpires.getTime() < ctx.clock.now().getTime();
  if (!identity?.linkCode || expired) {
    throw new UserError("Ce code n'est pas valable ou a expiré. Demandez-en un nouveau avec /adhesion lier email=votre@adresse.", "code");
  }
  const attempt = await chat.takeLinkAttempt(identityId, LINK_CODE_MAX_TRIES);
  if (!attempt.ok) throw new UserError(TOO_MANY_TRIES, "code");
  if (identity.linkCode !== hashCode(identityId, code.trim())) {
    if (attempt.attempts >= LINK_CODE_MAX_TRIES) {
      await chat.clearLinkCode(identityId);
      ctx.log.warn("code de liaison de chat invalidé après trop d'essais", { identityId });
      throw new UserError(TOO_MANY_TRIES, "code");
    }
    const left = LINK_CODE_MAX_TRIES - attempt.attempts;
    throw new UserError(`Ce code n'est pas le bon : vérifiez le mail reçu. Il vous reste ${left} essai${left > 1 ? "s" : ""} avant que ce code soit annulé.`, "code");
  }
  const member = identity.linkEmail ? await new MemberRepository(ctx.db).findByEmail(cptsId, identity.linkEmail) : null;
  if (!member) throw new UserError("Ce code n'est plus valable : demandez-en un nouveau avec /adhesion lier email=votre@adresse.", "code");
  await chat.linkIdentity(identityId, member.id);
  return { memberId: member.id, name: memberName(member) };
}

export interface Application {
  prenom: string;
  nom: string;
  email: string;
  profession: string;
  commune: string;
}

/** Checks an application before the RGPD notice is shown; returns the commune it names. */
export async function checkApplication(ctx: AppContext, cptsId: string, a: Application): Promise<{ inseeCode: string; name: string }> {
  const members = new MemberRepository(ctx.db);
  if (!isKnownProfession(a.profession)) throw new UserError(`Profession inconnue « ${excerpt(a.profession)} » : choisissez-en une de la liste (par exemple infirmier, medecin_generaliste, pharmacien).`, "profession");
  const communes = await members.communes(cptsId);
  const needle = a.commune.trim().toLowerCase();
  const commune = communes.find((c) => c.inseeCode === needle || c.name.toLowerCase() === needle || c.postalCode === needle);
  if (!commune) {
    throw new UserError(`La commune « ${excerpt(a.commune)} » n'est pas sur le territoire de la CPTS. Communes : ${communes.map((c) => c.name).join(", ")}.`, "commune");
  }
  if (await members.findByEmail(cptsId, a.email)) {
    throw new UserError("Cette adresse est déjà connue de la CPTS : reliez plutôt votre compte avec /adhesion lier email=votre@adresse.", "email");
  }
  return { inseeCode: commune.inseeCode, name: commune.name };
}

/**
 * Records the application (member CANDIDAT + consent) and tells the coordination by mail. The chat
 * account is NOT linked yet: a code goes to the address typed, and only `/adhesion code=…` links
 * it (nobody can tie their chat account to an address they do not read).
 */
export async function apply(ctx: AppContext, cpts: { id: string; name: string }, identityId: string, a: Application): Promise<{ memberId: string; codeSent: boolean }> {
  const commune = await checkApplication(ctx, cpts.id, a);
  const members = new MemberRepository(ctx.db);
  const created = await members.createCandidate({
    cptsId: cpts.id,
    firstName: a.prenom,
    lastName: a.nom,
    email: a.email,
    profession: a.profession,
    communeInsee: commune.inseeCode,
    joinedOn: ctx.clock.today(),
    consent: { purpose: "adhesion", textVersion: RGPD_TEXT_VERSION, channel: "chat" },
  });
  const coordination = await members.findByRoles(cpts.id, ["COORDONNATEUR"]);
  const notice = renderMail(demandeAdhesionTemplate, {
    cptsName: cpts.name,
    firstName: a.prenom,
    lastName: a.nom,
    profession: professionLabel(a.profession),
    commune: commune.name,
    email: a.email,
    consentVersion: RGPD_TEXT_VERSION,
  });
  await inTransaction(ctx.db, (tx) =>
    enqueueMessages(
      tx,
      coordination.filter((c) => c.email).map((c) => ({
        cptsId: cpts.id,
        idempotencyKey: `adhesion:${created.id}:${c.id}`,
        channel: "MAIL" as const,
        kind: "adhesion",
        recipient: c.email!,
        memberId: c.id,
        subject: notice.subject,
        bodyText: notice.text,
        bodyHtml: notice.html,
      })),
    ),
  );
  const member = await members.findById(cpts.id, created.id);
  const codeSent = member ? await sendLinkCode(ctx, cpts.id, cpts.name, identityId, member, false) : false;
  return { memberId: created.id, codeSent };
}
