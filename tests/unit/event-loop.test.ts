import { describe, it, expect } from "vitest";
import { turnYielder } from "../../src/event-loop.ts";

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe("turnYielder : un tour de boucle laissé aux entrées-sorties pendant un long travail", () => {
  it("ne cède rien avant le délai, puis cède un tour (une tâche en attente passe) et repart de zéro", async () => {
    const letIn = turnYielder(20);
    let ran = 0;
    setImmediate(() => ran++);
    await letIn();
    expect(ran).toBe(0); // at once: no turn given
    busy(25);
    await letIn();
    expect(ran).toBe(1); // 25 ms of work: the waiting task ran
    setImmediate(() => ran++);
    await letIn();
    expect(ran).toBe(1); // the clock started again after the turn
  });
});
