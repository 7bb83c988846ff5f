// /adhesion: link my chat account to my member record (e-mail + one-time code), or apply as a new
// member (profession, commune, e-mail) after reading the RGPD notice.
import { z } from "zod";
import { defineCommand, type FormDef } from "./types.ts";
import { UserError } from "../src/app/errors.ts";
import { LINK_CODE_MINUTES, apply, checkApplication, confirmLink, rgpdNotice, startLink, type Application } from "../src/app/services/membership.ts";
import { professionLabel } from "../src/rules/professions.ts";

const schema = z.object({
  action: z.enum(["lier", "code", "nouvelle"]).optional(),
  email: z.email().optional(),
  code: z.string().regex(/^\d{6}$/).optional(),
  prenom: z.string().trim().min(1).max(80).optional(),
  nom: z.string().trim().min(1).max(80).optional(),
  profession: z.string().trim().min(2).max(60).optional(),
  commune: z.string().trim().min(2).max(80).optional(),
});

/** The application form (Discord and Slack modals). */
const APPLICATION_FORM: FormDef = {
  title: "Adhérer à la CPTS",
  fields: [
    { name: "prenom", label: "Prénom", required: true },
    { name: "nom", label: "Nom", required: true },
    { name: "email", label: "Adresse mail", placeholder: "prenom.nom@exemple.fr", required: true },
    { name: "profession", label: "Profession", placeholder: "infirmier, pharmacien, medecin_generaliste…", required: true },
    { name: "commune", label: "Commune d'exercice", required: true },
  ],
};

export const adhesion = defineCommand({
  name: "adhesion",
  description: "Relier votre compte à votre fiche d'adhérent, ou demander à adhérer",
  requiredRole: "non_membre",
  personal: true,
  options: [
    { name: "action", description: "lier (mon adresse), code (reçu par mail) ou nouvelle (adhérer)", type: "string", choices: [{ label: "relier mon compte", value: "lier" }, { label: "saisir le code reçu", value: "code" }, { label: "adhérer", value: "nouvelle" }], hint: "lier, code ou nouvelle" },
    { name: "email", description: "Votre adresse mail", type: "string", hint: "une adresse mail, par exemple nom@exemple.fr" },
    { name: "code", description: "Le code à 6 chiffres reçu par mail", type: "string", hint: "les 6 chiffres reçus par mail" },
    { name: "prenom", description: "Votre prénom (adhésion)", type: "string", hint: "votre prénom" },
    { name: "nom", description: "Votre nom (adhésion)", type: "string", hint: "votre nom" },
    { name: "profession", description: "Votre profession (adhésion)", type: "string", autocomplete: "professions", hint: "une profession de la liste, par exemple infirmier" },
    { name: "commune", description: "Votre commune d'exercice (adhésion)", type: "string", autocomplete: "communes", hint: "une commune du territoire" },
  ],
  schema,
  forms: { nouvelle: APPLICATION_FORM },
  example: "/adhesion lier email=prenom.nom@exemple.fr",
  async run(ctx, input) {
    const action = input.action ?? (input.code ? "code" : input.prenom || input.profession ? "nouvelle" : input.email ? "lier" : undefined);
    if (ctx.caller.memberId && action !== undefined) {
      return { text: `Votre compte est déjà relié à ${ctx.caller.name}. Tapez /mes-donnees pour voir ce que la CPTS connaît de vous.` };
    }
    if (action === "lier") {
      if (!input.email) throw new UserError("Indiquez votre adresse : /adhesion lier email=prenom.nom@exemple.fr", "email");
      await startLink(ctx.app, ctx.cpts.id, ctx.cpts.name, ctx.caller.identityId, input.email);
      return {
        text:
          `Si ${input.email} est l'adresse d'un membre de la ${ctx.cpts.name}, un code à 6 chiffres vient d'y être envoyé (valable ${LINK_CODE_MINUTES} minutes).\n` +
          "Tapez ensuite /adhesion code=XXXXXX. Rien reçu ? Vérifiez l'adresse, ou adhérez avec /adhesion nouvelle.",
      };
    }
    if (action === "code") {
      const code = input.code ?? (input.email && /^\d{6}$/.test(input.email) ? input.email : undefined);
      if (!code) throw new UserError("Indiquez le code reçu par mail : /adhesion code=123456", "code");
      const linked = await confirmLink(ctx.app, ctx.cpts.id, ctx.caller.identityId, code);
      return { text: `C'est fait : votre compte est relié à ${linked.name}. Tapez /aide pour voir vos commandes.` };
    }
    if (action === "nouvelle") {
      const typed = (["prenom", "nom", "email", "profession", "commune"] as const).some((k) => input[k]);
      if (!typed && ctx.platform !== "CONSOLE") {
        return {
          text: "Pour adhérer : /adhesion nouvelle prenom=… nom=… email=… profession=… commune=…",
          modal: { command: "adhesion", action: "nouvelle", ...APPLICATION_FORM },
        };
      }
      const missing = (["prenom", "nom", "email", "profession", "commune"] as const).filter((k) => !input[k]);
      if (missing.length) {
        throw new UserError(`Pour adhérer, il manque : ${missing.join(", ")}. Exemple : /adhesion nouvelle prenom=Léa nom=Martin email=lea.martin@exemple.fr profession=infirmier commune=Valdémo`);
      }
      const application = { prenom: input.prenom!, nom: input.nom!, email: input.email!, profession: input.profession!, commune: input.commune! } satisfies Application;
      const commune = await checkApplication(ctx.app, ctx.cpts.id, application);
      return {
        title: "Demande d'adhésion",
        text: `${application.prenom} ${application.nom}, ${professionLabel(application.profession)} à ${commune.name} (${application.email}).`,
        confirm: rgpdNotice(ctx.cpts.name, ctx.cpts.contactEmail),
        buttons: [
          await ctx.button({ action: "accepter", label: "J'accepte et j'envoie ma demande", style: "primary", payload: application }),
          await ctx.button({ action: "annuler", label: "Annuler", style: "secondary" }),
        ],
      };
    }
    return {
      text: ctx.caller.memberId
        ? `Votre compte est relié à ${ctx.caller.name}.`
        : `Votre compte n'est pas encore relié à la ${ctx.cpts.name}.\n` +
          "Déjà adhérent : /adhesion lier email=votre@adresse (un code vous est envoyé par mail).\n" +
          "Pas encore adhérent : /adhesion nouvelle prenom=… nom=… email=… profession=… commune=…",
    };
  },
  async onAction(ctx, action, payload) {
    if (action === "annuler") return { text: "Demande abandonnée : rien n'a été enregistré." };
    if (ctx.caller.memberId) return { text: `Votre compte est déjà relié à ${ctx.caller.name}.` };
    const application = payload as unknown as Application;
    const { codeSent } = await apply(ctx.app, ctx.cpts, ctx.caller.identityId, application);
    return {
      text:
        `Merci ! Votre demande d'adhésion est enregistrée avec votre consentement ; la coordination de la ${ctx.cpts.name} va la valider et vous indiquer comment régler la cotisation.\n` +
        (codeSent
          ? `Pour relier ce compte à votre fiche, tapez /adhesion code=XXXXXX avec le code à 6 chiffres envoyé à ${application.email} (valable ${LINK_CODE_MINUTES} minutes).`
          : "Pour relier ce compte à votre fiche, demandez un code plus tard avec /adhesion lier email=votre@adresse."),
    };
  },
});
