import { describe, it, expect } from "vitest";
import { renderMail, TemplateError } from "../../src/mail/template.ts";
import { relanceTemplate } from "../../templates/mail/relance.ts";
import { newsletterTemplate } from "../../templates/mail/newsletter.ts";
import { alerteEcheanceTemplate, alerteEcheanceChatText } from "../../templates/mail/alerte-echeance.ts";
import { planCriseRevueTemplate } from "../../templates/mail/plan-crise-revue.ts";
import { echecEnvoiTemplate } from "../../templates/mail/echec-envoi.ts";

const relance = { cptsName: "CPTS du Val", memberName: "Jeanne <b>Dupont</b>", year: 2026, step: 1, maxCount: 3, amount: "30,00 €", paymentLink: "https://pay.exemple.fr/x?a=1&b=2", preferencesUrl: "https://coordo.exemple.fr/desabonnement/t?type=relances" };

describe("modèles de mail", () => {
  it("échappe toutes les valeurs dans le HTML", () => {
    const m = renderMail(relanceTemplate, relance);
    expect(m.html).toContain("Jeanne &lt;b&gt;Dupont&lt;/b&gt;");
    expect(m.html).not.toContain("<b>Dupont");
    expect(m.html).toContain('href="https://pay.exemple.fr/x?a=1&amp;b=2"');
    expect(m.text).toContain("Jeanne <b>Dupont</b>");
  });

  it("adapte la relance à son rang : première, intermédiaire, dernière", () => {
    const s1 = renderMail(relanceTemplate, relance).subject;
    const s2 = renderMail(relanceTemplate, { ...relance, step: 2 }).subject;
    const s3 = renderMail(relanceTemplate, { ...relance, step: 3 }).subject;
    expect(new Set([s1, s2, s3]).size).toBe(3);
    expect(s3).toMatch(/^Dernier rappel/);
    expect(s2).toMatch(/^Rappel/);
  });

  it("refuse une variable manquante ou mal typée, avec un message clair, sans rendu partiel", () => {
    const { memberName: _omit, ...missing } = relance;
    const err = (() => {
      try {
        renderMail(relanceTemplate, missing as typeof relance);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toMatch(/relance.*memberName/);
    expect(() => renderMail(relanceTemplate, { ...relance, year: "2026" as unknown as number })).toThrow(TemplateError);
    expect(() => renderMail(alerteEcheanceTemplate, { cptsName: "X", label: "Y", kindLabel: "Z", dueDate: "2026-01-01", daysLeft: 3, ownerLabel: "bureau" })).toThrow(/dueDate/);
  });

  it("la lettre garde les paragraphes et marque l'envoi de test", () => {
    const m = renderMail(newsletterTemplate, { cptsName: "CPTS", subject: "Lettre d'automne", body: "Premier <paragraphe>.\n\nSecond\navec retour.", test: true });
    expect(m.subject).toBe("[TEST] Lettre d'automne");
    expect(m.html).toContain("Premier &lt;paragraphe&gt;.</p>");
    expect(m.html).toContain("Second<br>avec retour.");
    expect(m.html.match(/<p style="margin:0 0 12px">/g)!.length).toBeGreaterThanOrEqual(2);
  });

  it("les alertes disent le retard et l'échéance en français", () => {
    const late = renderMail(alerteEcheanceTemplate, { cptsName: "CPTS", label: "Déposer le plan", kindLabel: "Plan de gestion de crise", dueDate: "01/03/2026", daysLeft: -14, ownerLabel: "coordination" });
    expect(late.subject).toBe("EN RETARD : Déposer le plan (échéance du 01/03/2026)");
    expect(late.text).toContain("en retard de 14 jours");
    expect(alerteEcheanceChatText({ label: "Dialogue de gestion", dueDate: "01/03/2026", daysLeft: 30, ownerLabel: "bureau" })).toContain("dans 30 jours");
    const revue = renderMail(planCriseRevueTemplate, { cptsName: "CPTS", ownerName: "Karim", sectionTitle: "Anticiper", dueDate: "01/06/2026", daysLeft: 40 });
    expect(revue.subject).toContain("« Anticiper »");
    const echec = renderMail(echecEnvoiTemplate, { cptsName: "CPTS", recipient: "x@y.fr", error: "550 <inconnu>" });
    expect(echec.html).toContain("550 &lt;inconnu&gt;");
  });
});
