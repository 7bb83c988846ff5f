// What `coordo start` runs besides the HTTP server, in start order (stopped in reverse order).
// Each component may mount HTTP routes on the shared Hono app and returns how to stop it.
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";
import { adminComponent } from "../admin/index.ts";
import { chatComponent } from "../chat/component.ts";
import { helloAssoComponent } from "../helloasso/route.ts";
import { outboxComponent, bounceComponent } from "./mail-components.ts";
import { schedulerComponent } from "../scheduler/component.ts";

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

export const components: Component[] = [adminComponent, chatComponent, helloAssoComponent, outboxComponent, bounceComponent, schedulerComponent];
