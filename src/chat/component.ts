// The chat component of `coordo start`: the Slack and Discord adapters when their tokens are set,
// the interactive console otherwise (see consoleWanted).
import type { Component, RunningComponent } from "../app/components.ts";
import { consoleChatComponent } from "./console/component.ts";

const parts: Component[] = [consoleChatComponent];

export const chatComponent: Component = {
  name: "chat",
  async start(ctx, http) {
    const running: RunningComponent[] = [];
    for (const p of parts) {
      const r = await p.start(ctx, http);
      if (r) running.push(r);
    }
    return {
      async stop() {
        for (const r of running.reverse()) await r.stop();
      },
    };
  },
};
