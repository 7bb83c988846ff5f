// What `coordo start` runs besides the HTTP server, in start order (stopped in reverse order).
// Each component may mount HTTP routes on the shared Hono app and returns how to stop it.
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";
import { adminComponent } from "../admin/index.ts";
import { chatComponent } from "../chat/component.ts";
import { helloAssoComponent } from "../helloasso/route.ts";
import { outboxComponent, bounceComponent } from "./mail-components.ts";
import { schedulerComponent } from "../scheduler/component.ts";
import { sqlitePath } from "../db/client.ts";
import { startCheckpointer } from "../db/sqlite-checkpointer.ts";

export interface RunningComponent {
  stop(): Promise<void>;
  /** Called once every component is started and HTTP is served (the scheduler starts its jobs here). */
  ready?(): Promise<void> | void;
  /** Called last, after the start banner: the console chat prints its help and prompt here. */
  interactive?(): void;
}

export interface Component {
  name: string;
  start(ctx: AppContext, http: Hono): Promise<RunningComponent | void>;
}

/** SQLite: the WAL checkpoints in a worker thread instead of inside a commit of the main thread (sqlite-checkpointer.ts). */
export const checkpointComponent: Component = {
  name: "points-de-reprise",
  async start(ctx) {
    if (ctx.engine !== "sqlite") return;
    const checkpointer = startCheckpointer(ctx.db, sqlitePath(ctx.config.DATABASE_URL), ctx.log);
    if (checkpointer) return { stop: async () => void (await checkpointer.stop()) };
  },
};

export const components: Component[] = [checkpointComponent, adminComponent, chatComponent, helloAssoComponent, outboxComponent, bounceComponent, schedulerComponent];
