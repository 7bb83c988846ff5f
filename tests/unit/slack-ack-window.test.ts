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
    await w.respond({ text: "réponse", replace_original: false });
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

  it("un message suivant attend que l'accusé soit parti (il ne le dépasse jamais)", async () => {
    const order: string[] = [];
    let release!: () => void;
    const w = ackWindow(60_000, (m) => new Promise<void>((r) => (release = () => (order.push(`accusé ${m!.text}`), r()))), async (m) => void order.push(`response_url ${m.text}`));
    await w.respond({ text: "1" });
    const second = w.respond({ text: "2" });
    await sleep(30);
    expect(order).toEqual([]);
    release();
    await second;
    expect(order).toEqual(["accusé 1", "response_url 2"]);
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
