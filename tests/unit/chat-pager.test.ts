// splitPages: a long reply cut into pages that every platform can show, nothing left out.
import { describe, it, expect } from "vitest";
import { PAGE_LIMITS, splitPages } from "../../src/app/pager.ts";
import { renderDiscord, DISCORD_LIMITS } from "../../src/chat/discord/render.ts";
import { renderSlack, SLACK_LIMITS } from "../../src/chat/slack/blocks.ts";
import { commands } from "../../commands/index.ts";
import type { Reply } from "../../commands/types.ts";

const fields = (n: number, valueLength = 40) => Array.from({ length: n }, (_, i) => ({ name: `Ligne ${i + 1}`, value: `${i + 1}:`.padEnd(valueLength, "x") }));
const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `cmd:a:${i}`, label: `Bouton ${i + 1}` }));

function fitsEverywhere(page: Reply) {
  const d = renderDiscord(page);
  const embed = d.embeds?.[0];
  if (embed) {
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    expect((embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.fields ?? []).reduce((s, f) => s + f.name.length + f.value.length, 0)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    // nothing cut by the renderer: every field of the page is there
    expect(embed.fields?.length ?? 0).toBe(page.fields?.length ?? 0);
  }
  expect(d.content?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.content);
  expect(page.buttons?.length ?? 0).toBeLessThanOrEqual(PAGE_LIMITS.buttons + 2);
  expect(renderSlack(page).blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
}

describe("pages des réponses longues", () => {
  it.each([
    ["30 champs courts", { title: "T", text: "intro", fields: fields(30) }, 2],
    ["25 champs longs (1 000 caractères)", { title: "T", text: "intro", fields: fields(25, 1000) }, 9],
    ["45 boutons", { text: "choix", buttons: buttons(45) }, 3],
    ["texte de 6 000 caractères en lignes", { text: Array.from({ length: 120 }, (_, i) => `ligne ${i} `.padEnd(49, "-")).join("\n") }, 4],
  ] as [string, Reply, number][])("%s : chaque page tient partout, rien n'est perdu", (_, reply, expected) => {
    const pages = splitPages(reply);
    expect(pages).toHaveLength(expected);
    pages.forEach((p, i) => {
      expect(p.text).toContain(`Page ${i + 1}/${expected}`);
      fitsEverywhere(p);
    });
    expect(pages.flatMap((p) => p.fields ?? [])).toEqual(reply.fields ?? []);
    expect(pages.flatMap((p) => p.buttons ?? [])).toEqual(reply.buttons ?? []);
    const lines = pages.flatMap((p) => p.text.split("\n")).filter((l) => l && !/^Page \d+\/\d+$/.test(l));
    expect(lines.join("\n")).toBe(reply.text);
  });

  it("une réponse courte reste telle quelle ; quelques boutons d'action suivent chaque page", () => {
    const short: Reply = { text: "ok", fields: fields(3) };
    expect(splitPages(short)).toEqual([short]);
    const pages = splitPages({ text: "x", fields: fields(25), buttons: buttons(1), confirm: "Attention" });
    expect(pages.map((p) => p.buttons?.length)).toEqual([1, 1]);
    expect(pages.every((p) => p.confirm === "Attention")).toBe(true);
  });

  it("aucune option de commande n'a plus de 25 choix (limite Discord) : rien n'est coupé à l'enregistrement", () => {
    for (const c of commands) for (const o of c.options) expect(o.choices?.length ?? 0, `${c.name}.${o.name}`).toBeLessThanOrEqual(25);
  });
});
