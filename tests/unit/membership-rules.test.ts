import { describe, it, expect } from "vitest";
import { owesDues, indemnityRoleOf } from "../../src/rules/membership.ts";

describe("owesDues : qui doit une cotisation", () => {
  const cases: [string, string[], string, boolean, string[], boolean][] = [
    ["un adhérent professionnel", ["ADHERENT"], "PROFESSIONNEL", false, [], true],
    ["une structure adhérente", ["ADHERENT"], "STRUCTURE", false, [], true],
    ["un membre du CA sans le rôle adhérent", ["CA"], "PROFESSIONNEL", false, [], true],
    ["un membre du bureau", ["BUREAU"], "PROFESSIONNEL", false, [], true],
    ["un adhérent exonéré", ["ADHERENT"], "PROFESSIONNEL", true, [], false],
    ["un membre du bureau exonéré", ["BUREAU", "ADHERENT"], "PROFESSIONNEL", true, [], false],
    ["la coordination salariée", ["COORDONNATEUR"], "PROFESSIONNEL", false, [], false],
    ["un partenaire", ["PARTENAIRE"], "PARTENAIRE", false, [], false],
    ["un partenaire qui a aussi adhéré", ["PARTENAIRE", "ADHERENT"], "PARTENAIRE", false, [], true],
    ["une fiche sans rôle", [], "PROFESSIONNEL", false, [], false],
    ["un adhérent d'une catégorie exonérée par la CPTS", ["ADHERENT"], "PARTENAIRE", false, ["PARTENAIRE"], false],
    ["un adhérent d'une autre catégorie que l'exonérée", ["ADHERENT"], "STRUCTURE", false, ["PARTENAIRE"], true],
  ];
  it.each(cases)("%s", (_label, roles, category, exempt, exemptCategories, expected) => {
    expect(owesDues(roles, category, exempt, exemptCategories)).toBe(expected);
  });
});

describe("indemnityRoleOf : le taux de rôle du règlement intérieur qui s'applique", () => {
  const cases: [string, string[], string[], string | undefined][] = [
    ["un membre du bureau, taux « bureau » prévu", ["ADHERENT", "BUREAU"], ["bureau"], "bureau"],
    ["casse et accents ignorés", ["CA"], ["CA", "Bureau"], "CA"],
    ["le bureau avant le CA", ["CA", "BUREAU"], ["ca", "bureau"], "bureau"],
    ["le CA quand le bureau n'a pas de taux", ["CA", "BUREAU"], ["ca"], "ca"],
    ["la coordination avant tout", ["COORDONNATEUR", "BUREAU"], ["bureau", "coordonnateur"], "coordonnateur"],
    ["un simple adhérent n'a pas de taux de rôle", ["ADHERENT"], ["bureau", "ca"], undefined],
    ["aucun taux de rôle dans les règles", ["BUREAU"], [], undefined],
    ["un rôle libre des règles sans équivalent", ["BUREAU"], ["animateur"], undefined],
    ["espaces autour du rôle saisi ignorés", ["BUREAU"], ["  Bureau "], "  Bureau "],
    ["accents du rôle saisi ignorés", ["COORDONNATEUR"], ["Coordonnatéur"], "Coordonnatéur"],
  ];
  it.each(cases)("%s", (_label, roles, ruleRoles, expected) => {
    expect(indemnityRoleOf(roles, ruleRoles)).toBe(expected);
  });
});
