// Settings whose defaults DOMAIN marks uncertain: what the admin shows the coordinator (issue 16 part 5).
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, listUncertainSettings, resolveSettings } from "../../../src/rules/settings.ts";

const at = (obj: unknown, path: string): unknown => path.split(".").reduce((o, k) => (o as Record<string, unknown>)[k], obj);

describe("réglages incertains", () => {
  it("la liste montrée : chemin, libellé et source en français", () => {
    expect(listUncertainSettings().map(({ path, label, source }) => ({ path, label, source }))).toEqual([
      { path: "majoration", label: "Majoration de 10 % des missions pour une CPTS de taille 4 d'au moins 100 adhérents", source: "DOMAIN §3 : non trouvée dans le texte officiel" },
      { path: "missionPrecoce.amountsCents", label: "Aide « mission précoce » par taille (15 000 / 17 500 / 25 000 / 30 000 €)", source: "DOMAIN §3 : non trouvée dans le texte officiel" },
      { path: "missionPrecoce.deadlineMonths", label: "Délai de la mission précoce pour déposer le projet de santé et signer l'ACI (9 mois)", source: "DOMAIN §3 : règle mission précoce incertaine" },
      { path: "fir.redactionCentsBySize", label: "FIR : indemnités de rédaction du projet de santé par taille (10 000 à 20 000 €)", source: "DOMAIN §3 : répartition par taille incertaine (paliers intermédiaires estimés)" },
      { path: "fir.coordinatorCents", label: "FIR : financement d'un coordinateur (0,5 ETP pendant 12 mois, 24 000 €)", source: "DOMAIN §3 : montants FIR marqués incertains" },
    ]);
  });

  it.each([
    ["réglages par défaut", DEFAULT_SETTINGS],
    ["réglages d'une CPTS", resolveSettings({ majoration: { minMembers: 80 }, missionPrecoce: { deadlineMonths: 12 }, fir: { coordinatorCents: 1_000_000 } })],
  ])("%s : chaque valeur montrée est celle du réglage à ce chemin", (_, settings) => {
    for (const u of listUncertainSettings(settings)) expect(u.defaultValue, u.path).toEqual(at(settings, u.path));
  });

  it("sans argument, les valeurs par défaut", () => {
    expect(listUncertainSettings().map((u) => u.defaultValue)).toEqual(listUncertainSettings(DEFAULT_SETTINGS).map((u) => u.defaultValue));
  });

  it("surcharges : une valeur absente garde le défaut, un tableau remplace, un objet fusionne", () => {
    const s = resolveSettings({ alertLeadDays: [3], hire: { otherDutiesDays: 15 }, majoration: undefined });
    expect(s.alertLeadDays).toEqual([3]);
    expect(s.hire).toEqual({ ...DEFAULT_SETTINGS.hire, otherDutiesDays: 15 });
    expect(s.majoration).toEqual(DEFAULT_SETTINGS.majoration);
    expect(resolveSettings()).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.hire.otherDutiesDays).toBe(30);
  });
});
