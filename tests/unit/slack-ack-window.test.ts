// The ack window of a Slack slash command (src/chat/slack/adapter.ts): the first message of the answer rides
// in the ack when it comes in time; after the window, the ack says « en cours » and every message goes later.
import { describe, it, expect } from "vitest";
import { ackWindow } from "../../src/chat/slack/adapter.ts";

type M = Record<string, unknown> | null;

function harness(windowMs: number) {
  const acks: M[] = [];
  const later: M[] = [];
  const w = ackWindow(windowMs, (m) => acks.push(m), async (m) => void later.push(m));
  return { acks, later, w };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fenêtre d'accusé de réception Slack", () => {
  it("la réponse prête à temps est l'accusé lui-même ; les messages suivants partent par response_url", async () => {
    const { acks, later, w } = harness(60_000);
    await w.respond({ text: "réponse" });
    await w.respond({ text: "suite" });
    w.done();
    expect(acks).toEqual([{ text: "réponse" }]);
    expect(later).toEqual([{ text: "suite" }]);
  });

  it("une réponse plus lente que la fenêtre : accusé « en cours », puis la réponse par response_url", async () => {
    const { acks, later, w } = harness(20);
    await sleep(80);
    expect(acks).toEqual([{ response_type: "ephemeral", text: "⏳ en cours…" }]);
    await w.respond({ text: "réponse" });
    w.done();
    expect(acks).toHaveLength(1);
    expect(later).toEqual([{ text: "réponse" }]);
  });

  it("fenêtre 0 : toujours « en cours » puis response_url (le chemin d'avant)", async () => {
    const { acks, later, w } = harness(0);
    expect(acks).toEqual([{ response_type: "ephemeral", text: "⏳ en cours…" }]);
    await w.respond({ text: "réponse" });
    expect(later).toEqual([{ text: "réponse" }]);
  });

  it("rien à montrer (formulaire ouvert, livraison rejouée) : un accusé vide, une seule fois, et la fenêtre ne se rouvre pas", async () => {
    const { acks, later, w } = harness(20);
    w.done();
    await sleep(60);
    w.done();
    expect(acks).toEqual([null]);
    await w.respond({ text: "tardif" });
    expect(later).toEqual([{ text: "tardif" }]);
  });
});
