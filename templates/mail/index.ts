// Every mail template, by name.
export { relanceTemplate } from "./relance.ts";
export { newsletterTemplate } from "./newsletter.ts";
export { alerteEcheanceTemplate, alerteEcheanceChatText } from "./alerte-echeance.ts";
export { planCriseRevueTemplate } from "./plan-crise-revue.ts";
export { echecEnvoiTemplate } from "./echec-envoi.ts";
export { rappelLettreTemplate } from "./rappel-lettre.ts";
export { alerteCriseTemplate } from "./alerte-crise.ts";
