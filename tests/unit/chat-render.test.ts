// Renderers keep every reply inside the platforms' limits; text options parse as documented;
// Discord definitions and the Slack manifest come from the registry.
import { describe, it, expect } from "vitest";
import { createHmac } from "node:crypto";
import { renderSlack, SLACK_LIMITS, chunkText } from "../../src/chat/slack/blocks.ts";
import { verifySlackRequest } from "../../src/chat/slack/adapter.ts";
import { renderDiscord, DISCORD_LIMITS } from "../../src/chat/discord/render.ts";
import { commandsHash, discordCommands } from "../../src/chat/discord/definitions.ts";
import { slackManifest } from "../../src/chat/slack/manifest.ts";
import { renderText } from "../../src/chat/console/render.ts";
import { tokenize, collectOptions, roleOf } from "../../src/app/dispatcher.ts";
import { commands } from "../../commands/index.ts";
import type { Reply } from "../../commands/types.ts";

const huge: Reply = {
  title: "T".repeat(400),
  text: Array.from({ length: 400 }, (_, i) => `Ligne ${i} ${"x".repeat(120)}`).join("\n"),
  fields: Array.from({ length: 300 }, (_, i) => ({ name: `Champ ${i} ${"n".repeat(300)}`, value: "v".repeat(3000) })),
  buttons: Array.from({ length: 30 }, (_, i) => ({ id: `cmd:act:${"i".repeat(20)}${i}`, label: `Bouton ${i} ${"b".repeat(100)}`, style: "danger" as const })),
  confirm: "Attention",
  ephemeral: true,
};

describe("rendu Slack (Block Kit)", () => {
  it("respecte 50 blocs, 3000 caractères par section, 10 champs de 2000, 150 pour le titre, 75 par bouton", () => {
    const m = renderSlack(huge);
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of m.blocks as any[]) {
      if (b.type === "header") expect(b.text.text.length).toBeLessThanOrEqual(150);
      if (b.type === "section" && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      if (b.type === "section" && b.fields) {
        expect(b.fields.length).toBeLessThanOrEqual(10);
        for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
      if (b.type === "actions") for (const e of b.elements) expect(e.text.text.length).toBeLessThanOrEqual(75);
    }
    const buttons = (m.blocks as any[]).filter((b) => b.type === "actions").flatMap((b) => b.elements);
    expect(buttons).toHaveLength(30);
    expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(m.response_type).toBe("ephemeral");
    expect(JSON.stringify(m.blocks)).toContain("réponse tronquée");
  });

  it("échappe les caractères de contrôle mrkdwn et découpe aux fins de ligne", () => {
    const m = renderSlack({ text: "a < b & c > d" });
    expect((m.blocks[0] as any).text.text).toBe("a &lt; b &amp; c &gt; d");
    expect(chunkText("aaa\nbbb\nccc", 7)).toEqual(["aaa\nbbb", "ccc"]);
    expect(chunkText("x".repeat(10), 4)).toEqual(["xxxx", "xxxx", "xx"]);
  });

  it("vérifie la signature v0 et refuse un horodatage de plus de 5 minutes", () => {
    const body = "command=%2Faide";
    const sig = (ts: number, secret = "s") => "v0=" + createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex");
    expect(verifySlackRequest("s", "1000", sig(1000), body, 1100)).toBe("ok");
    expect(verifySlackRequest("s", "1000", sig(1000, "autre"), body, 1100)).toBe("signature");
    expect(verifySlackRequest("s", "1000", sig(1000), body, 1400)).toBe("perime");
    expect(verifySlackRequest("s", undefined, sig(1000), body, 1000)).toBe("signature");
  });
});

describe("rendu Discord", () => {
  it("respecte 2000 caractères de contenu, un embed de 6000 au plus, 25 champs, 5 rangées de 5 boutons", () => {
    const m = renderDiscord(huge);
    const e = m.embeds![0]!;
    expect(e.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(e.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(e.fields!.length).toBeLessThanOrEqual(25);
    for (const f of e.fields!) {
      expect(f.name.length).toBeLessThanOrEqual(256);
      expect(f.value.length).toBeLessThanOrEqual(1024);
    }
    const total = e.title!.length + e.description!.length + e.fields!.reduce((s, f) => s + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(m.components!.length).toBeLessThanOrEqual(5);
    for (const row of m.components!) {
      expect(row.components.length).toBeLessThanOrEqual(5);
      for (const b of row.components) expect(b.label.length).toBeLessThanOrEqual(80);
    }
    expect(m.flags).toBe(64);
    expect(renderDiscord({ text: "y".repeat(5000) }).content!.length).toBe(2000);
  });
});

describe("options en texte libre et rôles", () => {
  it("sépare valeurs positionnelles et nommées, guillemets compris", () => {
    expect(tokenize('lier email=a@b.fr texte="deux mots" « trois mots ici » sujet=«Lettre »')).toEqual({
      positional: ["lier", "trois mots ici"],
      named: { email: "a@b.fr", texte: "deux mots", sujet: "Lettre" },
    });
  });

  it("remplit les options dans l'ordre déclaré et convertit les entiers", () => {
    const emargement = commands.find((c) => c.name === "emargement")!;
    expect(collectOptions(emargement, { text: '"Réunion SNP" acces_soins 90' })).toEqual({ titre: "Réunion SNP", mission: "acces_soins", duree: 90 });
    expect(() => collectOptions(emargement, { text: "salle=3" })).toThrow(/Option inconnue « salle »/);
  });

  it("déduit le rôle des rôles et du statut du membre", () => {
    expect(roleOf(null)).toBe("non_membre");
    expect(roleOf({ status: "ACTIF", roles: [{ role: "ADHERENT", office: null }] })).toBe("adherent");
    expect(roleOf({ status: "ACTIF", roles: [{ role: "ADHERENT", office: null }, { role: "BUREAU", office: "TRESORIER" }] })).toBe("bureau");
    expect(roleOf({ status: "CANDIDAT", roles: [] })).toBe("non_membre");
    expect(roleOf({ status: "EFFACE", roles: [{ role: "COORDONNATEUR", office: null }] })).toBe("non_membre");
  });

  it("le rendu texte liste les boutons avec leur numéro", () => {
    expect(renderText({ title: "T", text: "x", fields: [{ name: "A", value: "1\n2" }], buttons: [{ id: "a:b:c", label: "Oui" }, { id: "a:b:d", label: "Non" }] })).toBe(
      "== T ==\nx\n  A : 1\n      2\nBoutons : [1] Oui  [2] Non",
    );
  });
});

describe("définitions générées depuis le registre", () => {
  it("chaque commande devient une commande Discord valide et une commande Slack du manifeste", () => {
    const defs = discordCommands(commands);
    expect(defs.map((d) => d.name)).toEqual(commands.map((c) => c.name));
    for (const d of defs) {
      expect(d.name).toMatch(/^[a-z-]{1,32}$/);
      expect(d.description.length).toBeLessThanOrEqual(100);
      for (const o of d.options) {
        expect(o.name).toMatch(/^[a-z_-]{1,32}$/);
        expect("choices" in o && "autocomplete" in o).toBe(false);
      }
    }
    const manifest = slackManifest(commands, { publicUrl: "https://coordo.exemple.fr/", socketMode: false });
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(commands.map((c) => `/${c.name}`));
    expect(manifest.features.slash_commands[0]!.url).toBe("https://coordo.exemple.fr/slack/events");
    expect(slackManifest(commands, { publicUrl: "x", socketMode: true }).settings.socket_mode_enabled).toBe(true);
  });

  it("le hachage des commandes change quand le registre change, et seulement alors", () => {
    expect(commandsHash(commands)).toBe(commandsHash([...commands]));
    expect(commandsHash(commands.slice(1))).not.toBe(commandsHash(commands));
  });
});
