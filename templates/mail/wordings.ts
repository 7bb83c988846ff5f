// The mails a CPTS may reword (« Modèles de messages »): for each, its French name, the variables its
// text may use (with what they hold) and coordo's default wording in the same {{variable}} syntax.
// Only the prose is reworded: the payment button, the crisis answer links, the « EXERCICE » notice,
// the amount line and the footer (unsubscribe link) are always added by the template.

export const WORDING_KEYS = ["relance-premiere", "relance-suivante", "relance-derniere", "alerte-echeance", "plan-crise-revue", "alerte-crise"] as const;
export type WordingKey = (typeof WORDING_KEYS)[number];

export interface WordingSpec {
  key: WordingKey;
  label: string;
  /** When the mail goes out and to whom. */
  about: string;
  variables: Record<string, string>;
  subject: string;
  body: string;
}

const RELANCE_VARS: Record<string, string> = {
  nom: "nom de l'adhérent (prénom et nom, ou raison sociale)",
  cpts: "nom de la CPTS",
  annee: "année de cotisation (ex. 2026)",
  montant: "montant de la cotisation de l'adhérent (ex. 30,00 €), vide si aucun barème",
  "deja-regle": "ce qui a déjà été réglé en cas de paiement partiel, sinon vide",
  "reste-a-regler": "le reste à régler en cas de paiement partiel, sinon vide",
  relance: "numéro de la relance (1, 2, 3…)",
};

const SIGNATURE = "Merci, et à bientôt,\nL'équipe de la {{cpts}}";

export const WORDINGS: Record<WordingKey, WordingSpec> = {
  "relance-premiere": {
    key: "relance-premiere",
    label: "Relance de cotisation — premier envoi",
    about: "Premier message de l'année aux adhérents qui n'ont pas réglé leur cotisation.",
    variables: RELANCE_VARS,
    subject: "Votre cotisation {{annee}} à la {{cpts}}",
    body: `Bonjour {{nom}},\n\nL'année de cotisation {{annee}} est ouverte. Votre adhésion fait vivre la CPTS : projets de santé du territoire, groupes de travail, coordination entre professionnels.\n\n${SIGNATURE}`,
  },
  "relance-suivante": {
    key: "relance-suivante",
    label: "Relance de cotisation — rappels intermédiaires",
    about: "Les rappels suivants, avant le dernier.",
    variables: RELANCE_VARS,
    subject: "Rappel : votre cotisation {{annee}} n'est pas encore réglée",
    body: `Bonjour {{nom}},\n\nSauf erreur de notre part, nous n'avons pas encore reçu votre cotisation {{annee}}. Si vous venez de la régler, merci et ne tenez pas compte de ce message.\n\n${SIGNATURE}`,
  },
  "relance-derniere": {
    key: "relance-derniere",
    label: "Relance de cotisation — dernier rappel",
    about: "Le dernier rappel de l'année (nombre maximal de relances atteint).",
    variables: RELANCE_VARS,
    subject: "Dernier rappel : votre cotisation {{annee}}",
    body: `Bonjour {{nom}},\n\nSauf erreur de notre part, votre cotisation {{annee}} n'est toujours pas réglée. C'est notre dernier rappel : sans cotisation à jour, vous ne pourrez plus voter en assemblée générale ni être indemnisé·e pour votre participation aux groupes de travail.\n\n${SIGNATURE}`,
  },
  "alerte-echeance": {
    key: "alerte-echeance",
    label: "Alerte d'échéance (ACI, association)",
    about: "Au coordinateur et au bureau avant chaque échéance, puis tant qu'elle n'est pas faite.",
    variables: {
      cpts: "nom de la CPTS",
      echeance: "intitulé de l'échéance",
      type: "nature de l'échéance (ex. Contrat ACI)",
      "date-limite": "date limite (JJ/MM/AAAA)",
      delai: "délai en toutes lettres (« demain », « dans 5 jours », « en retard de 2 jours »)",
      responsable: "qui en est responsable",
    },
    subject: "Échéance {{delai}} : {{echeance}}",
    body: "Bonjour,\n\n{{type}} : {{echeance}}.\n\nDate limite : {{date-limite}} ({{delai}}). Responsable : {{responsable}}.\n\nCette alerte sera répétée jusqu'à ce que l'échéance soit marquée comme faite (commande /echeances ou administration).",
  },
  "plan-crise-revue": {
    key: "plan-crise-revue",
    label: "Plan de crise — demande de relecture",
    about: "Aux responsables des parties du plan de crise avant la mise à jour annuelle.",
    variables: {
      cpts: "nom de la CPTS",
      nom: "nom du responsable de la partie",
      partie: "titre de la partie du plan",
      "date-limite": "date attendue de la nouvelle version (JJ/MM/AAAA)",
      "derniere-relecture": "date de la dernière relecture, vide si jamais relue",
    },
    subject: "Plan de crise : merci de relire « {{partie}} » avant le {{date-limite}}",
    body: "Bonjour {{nom}},\n\nLe plan de gestion de crise de la CPTS doit être mis à jour chaque année ; la prochaine version est attendue pour le {{date-limite}}.\n\nVous êtes responsable de la partie « {{partie}} ». Merci de la relire (ressources, contacts, procédures) puis de l'indiquer au coordinateur ou avec la commande /plan-crise.",
  },
  "alerte-crise": {
    key: "alerte-crise",
    label: "Alerte de crise (activation du plan)",
    about: "À chaque professionnel du territoire quand le plan de crise est activé, puis en rappel à ceux qui n'ont pas répondu.",
    variables: {
      cpts: "nom de la CPTS",
      prenom: "prénom du professionnel, vide s'il est inconnu",
      situation: "situation de crise (ex. Afflux de blessés)",
      description: "précisions saisies à l'activation, vide sinon",
      "date-activation": "date d'activation (JJ/MM/AAAA)",
    },
    subject: "[{{cpts}}] Plan de crise activé : {{situation}}",
    body: "Bonjour {{prenom}},\n\nLa {{cpts}} active son plan de gestion de crise le {{date-activation}} : {{situation}}.\n\n{{description}}\n\nMerci d'indiquer tout de suite votre disponibilité, d'un clic sur l'un des liens ci-dessous (aucun identifiant demandé). Ces liens sont personnels : ne les transférez pas.\n\nLa coordination",
  },
};

export const isWordingKey = (k: string): k is WordingKey => (WORDING_KEYS as readonly string[]).includes(k);

/** Which wording a dues reminder step uses: the first, the last (when there are several), else the intermediate one. */
export function relanceWordingKey(step: number, maxCount: number): WordingKey {
  if (step >= maxCount && step > 1) return "relance-derniere";
  return step === 1 ? "relance-premiere" : "relance-suivante";
}
