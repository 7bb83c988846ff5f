// `coordo start`: bind the port first (a taken port stops here, before the database or any job is touched),
// migrate, optionally load the demo, start every component, then serve requests and only then start the
// jobs (components' ready hooks). Any failure on the way stops what was started and rejects with a French
// message. SIGTERM stops the components in reverse order within STOP_BUDGET_MS whatever is in flight
// (sends in progress finish or are released for the next start), then closes the database.
import type { Hono } from "hono";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { openContext, systemClock, type AppContext, type Clock } from "./context.ts";
import { components as defaultComponents, type Component, type RunningComponent } from "./components.ts";
import { createHttpApp } from "../http/server.ts";
import { bindPort, StartError, type BoundPort } from "../http/bind.ts";
import { loadDemo, DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD } from "../db/demo-seed.ts";
import { ConfigError, isLocalUrl, publicUrl } from "../config.ts";

export interface Running {
  ctx: AppContext;
  port: number;
  stop(): Promise<void>;
}

export { StartError };

/**
 * Whole stop, whatever is in flight: under systemd's and the 10 s. A send stuck at the relay takes
 * all of it, and the exit after it must still fit on a loaded host: 8 s stopped in 8.6 s at rest (1.4 s to
 * spare on a machine at load 6-17), 6 s leaves 3 s or more.
 */
export const STOP_BUDGET_MS = 6_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | "délai"> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<"délai">((r) => (timer = setTimeout(() => r("délai"), ms)))]).finally(() => clearTimeout(timer));
}

export async function startCoordo(
  config: Config,
  log: Logger,
  opts: { demo?: boolean; clock?: Clock; components?: Component[]; banner?: (text: string) => void; bound?: BoundPort } = {},
): Promise<Running> {
  const t0 = performance.now();
  const demo = Boolean(opts.demo || config.COORDO_DEMO);
  if (demo && !isLocalUrl(publicUrl(config))) {
    opts.bound?.server.close();
    throw new ConfigError(
      `La CPTS de démonstration (et son mot de passe publié) est refusée : PUBLIC_URL (${publicUrl(config)}) n'est pas une adresse locale. ` +
        "Démarrez sans --demo ni COORDO_DEMO=1, ou essayez coordo sur http://localhost.",
    );
  }
  const { server, port, served } = opts.bound ?? (await bindPort(config.PORT, config.HOST));
  const closeServer = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      // keep-alive and slow clients: cut after a short grace
      setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), 1_000).unref();
    });

  let ctx: AppContext;
  try {
    ctx = await openContext(config, log, opts.clock ?? systemClock);
  } catch (e) {
    await closeServer();
    if (e instanceof ConfigError) throw e;
    throw new StartError(`coordo ne peut pas démarrer : base de données inutilisable (${(e as Error).message}).`);
  }
  const running: { name: string; handle: RunningComponent }[] = [];
  const stopAll = async () => {
    const deadline = performance.now() + STOP_BUDGET_MS;
    for (const r of [...running].reverse()) {
      try {
        const left = Math.max(200, deadline - performance.now());
        if ((await withTimeout(r.handle.stop(), left)) === "délai") log.error("arrêt d'un composant trop long, abandonné (repris au prochain démarrage)", { component: r.name });
      } catch (e) {
        log.error("arrêt d'un composant en erreur", { component: r.name, error: e });
      }
    }
    running.length = 0;
  };
  let app: Hono;
  try {
    if (demo) {
      const loaded = await loadDemo(ctx.db, ctx.clock.today());
      if (loaded.created) log.info("CPTS de démonstration chargée", { members: loaded.members });
    }
    app = createHttpApp(ctx);
    for (const c of opts.components ?? defaultComponents) {
      const handle = await c.start(ctx, app);
      if (handle) running.push({ name: c.name, handle });
    }
  } catch (e) {
    await stopAll();
    await closeServer();
    await ctx.db.$disconnect();
    throw e;
  }
  served.app = app; // requests are answered from here on (503 « démarrage en cours » before)
  const readyMs = Math.round(performance.now() - t0);
  log.info("coordo prêt", { port, engine: ctx.engine, readyMs, components: running.map((r) => r.name) });
  for (const r of running) {
    try {
      await r.handle.ready?.();
    } catch (e) {
      log.error("démarrage d'un composant en erreur", { component: r.name, error: e });
    }
  }
  if (demo) {
    (opts.banner ?? ((t: string) => process.stdout.write(t)))(
      `\ncoordo est prêt : ${publicUrl({ ...config, PORT: port })}/admin\n` +
        `  Connexion de démonstration : ${DEMO_COORDINATOR_EMAIL} / ${DEMO_ADMIN_PASSWORD}\n\n`,
    );
  }
  for (const r of running) r.handle.interactive?.();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      served.app = undefined;
      const closing = closeServer();
      await stopAll();
      await withTimeout(closing, 1_500);
      await withTimeout(ctx.db.$disconnect(), 1_000);
      log.info("coordo arrêté proprement");
    })());
  return { ctx, port, stop };
}
