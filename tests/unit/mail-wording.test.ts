// The wording of a CPTS's mail: checked in French before it is saved, filled when the mail is composed.
import { describe, it, expect } from "vitest";
import { checkWording, fillBody, fillSubject } from "../../src/mail/wording.ts";
import { WORDINGS, WORDING_KEYS, relanceWordingKey } from "../../templates/mail/wordings.ts";

const VARS = ["nom", "cpts", "annee"];

describe("modèles de messages : contrôle et remplissage", () => {
  it.each([
    ["Cotisation {{annee}}", "Bonjour {{nom}}", {}],
    ["Cotisation {{ annee }}", "Bonjour {{nom}}", {}],
    ["Cotisation {{foo}}", "Bonjour", { subject: "Objet : variable inconnue {{foo}}. Variables possibles : {{nom}}, {{cpts}}, {{annee}}." }],
    ["Cotisation", "Bonjour {{foo}} et {{bar}}", { body: "Texte : variables inconnues {{foo}}, {{bar}}. Variables possibles : {{nom}}, {{cpts}}, {{annee}}." }],
    ["Cotisation", "Bonjour {{nom}", { body: "Texte : accolades mal fermées. Une variable s'écrit entre doubles accolades, par exemple {{nom}}." }],
    ["Cotisation", "Bonjour {nom}", { body: "Texte : accolades mal fermées. Une variable s'écrit entre doubles accolades, par exemple {{nom}}." }],
    ["  ", "Bonjour", { subject: "L'objet est vide : écrivez l'objet du message." }],
    ["Objet\nBcc: x@y.fr", "Bonjour", { subject: "L'objet doit tenir sur une seule ligne." }],
    ["Cotisation", "", { body: "Le texte est vide : écrivez le message." }],
  ])("objet %j, texte %j → %j", (subject, body, errors) => {
    expect(checkWording({ subject, body }, VARS)).toEqual(errors);
  });

  it("refuse un objet de plus de 200 caractères et un texte de plus de 5 000", () => {
    const r = checkWording({ subject: "a".repeat(201), body: "b".repeat(5001) }, VARS);
    expect(r.subject).toContain("200 caractères au plus (201 saisis)");
    expect(r.body).toContain("5000 caractères au plus (5001 saisis)");
  });

  it("remplit l'objet sur une seule ligne, même si une valeur contient un retour à la ligne", () => {
    expect(fillSubject("Cotisation {{annee}} : {{nom}}", { annee: "2026", nom: "Durand\r\nBcc: pirate@exemple.fr" })).toBe("Cotisation 2026 : Durand Bcc: pirate@exemple.fr");
  });

  it("une variable vide ne laisse ni espace avant la virgule ni paragraphes vides", () => {
    expect(fillBody("Bonjour {{prenom}},\n\n{{description}}\n\nMerci", { prenom: undefined, description: "" })).toBe("Bonjour,\n\nMerci");
  });

  it("chaque texte par défaut n'utilise que ses propres variables", () => {
    for (const k of WORDING_KEYS) expect(checkWording(WORDINGS[k], Object.keys(WORDINGS[k].variables)), k).toEqual({});
  });

  it.each([[1, 3, "relance-premiere"], [2, 3, "relance-suivante"], [3, 3, "relance-derniere"], [1, 1, "relance-premiere"], [4, 3, "relance-derniere"]] as const)("relance %i sur %i → %s", (step, max, key) => {
    expect(relanceWordingKey(step, max)).toBe(key);
  });
});
