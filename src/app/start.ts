// `coordo start`: migrate, optionally load the demo, serve HTTP, start every component; SIGTERM stops
// them in reverse order (in-flight sends finish, nothing half-written) then closes the database.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { openContext, systemClock, type AppContext, type Clock } from "./context.ts";
import { components as defaultComponents, type Component, type RunningComponent } from "./components.ts";
import { createHttpApp, listen } from "../http/server.ts";
import { loadDemo, DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD } from "../db/demo-seed.ts";
import { publicUrl } from "../config.ts";

export interface Running {
  ctx: AppContext;
  port: number;
  stop(): Promise<void>;
}

export async function startCoordo(
  config: Config,
  log: Logger,
  opts: { demo?: boolean; clock?: Clock; components?: Component[] } = {},
): Promise<Running> {
  const t0 = performance.now();
  const ctx = await openContext(config, log, opts.clock ?? systemClock);
  if (opts.demo || config.COORDO_DEMO) {
    const demo = await loadDemo(ctx.db, ctx.clock.today());
    if (demo.created) log.info("CPTS de démonstration chargée", { members: demo.members });
  }
  const app = createHttpApp(ctx);
  const running: { name: string; handle: RunningComponent }[] = [];
  for (const c of opts.components ?? defaultComponents) {
    const handle = await c.start(ctx, app);
    if (handle) running.push({ name: c.name, handle });
  }
  const { server, port } = await listen(app, config.PORT, config.HOST);
  const readyMs = Math.round(performance.now() - t0);
  log.info("coordo prêt", { port, engine: ctx.engine, readyMs, components: running.map((r) => r.name) });
  if (opts.demo || config.COORDO_DEMO) {
    process.stdout.write(
      `\ncoordo est prêt : ${publicUrl({ ...config, PORT: port })}/admin\n` +
        `  Connexion de démonstration : ${DEMO_COORDINATOR_EMAIL} / ${DEMO_ADMIN_PASSWORD}\n\n`,
    );
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((r) => server.close(() => r()));
      for (const r of running.reverse()) {
        try {
          await r.handle.stop();
        } catch (e) {
          log.error("arrêt d'un composant en erreur", { component: r.name, error: e });
        }
      }
      await ctx.db.$disconnect();
      log.info("coordo arrêté proprement");
    })());
  return { ctx, port, stop };
}
