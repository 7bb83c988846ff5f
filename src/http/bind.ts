// Binding coordo's HTTP port, apart from the application (light imports only): `coordo start` binds
// before loading anything else, so a taken port is reported at once. Requests get 503 until the app is set.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";

/** A start that cannot go on (port taken, database unreachable, migration refused): French message, exit 1. */
export class StartError extends Error {}

/** What the bound server answers with: nothing yet (503) until `app` is set, and again while stopping. */
export interface ServedApp {
  app: Hono | undefined;
}

export interface BoundPort {
  server: ServerType;
  port: number;
  served: ServedApp;
}

export function listenServed(served: ServedApp, port: number, host: string): Promise<{ server: ServerType; port: number }> {
  const fetch = (req: Request, env?: unknown) =>
    served.app
      ? served.app.fetch(req, env as never)
      : new Response(JSON.stringify({ status: "demarrage", message: "coordo démarre ou s'arrête : réessayez dans un instant." }), {
          status: 503,
          headers: { "content-type": "application/json; charset=utf-8", "retry-after": "2" },
        });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => resolve({ server, port: info.port }));
    server.once("error", reject);
  });
}

/** Binds `host:port`; a failure becomes a StartError saying what to do, in French. */
export async function bindPort(port: number, host: string): Promise<BoundPort> {
  const served: ServedApp = { app: undefined };
  try {
    return { ...(await listenServed(served, port, host)), served };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE" ? `le port ${port} est déjà utilisé sur ${host} (un autre coordo ?) : arrêtez-le ou choisissez un autre PORT`
      : code === "EACCES" ? `le port ${port} est réservé (moins de 1024) : choisissez PORT=3000 par exemple, derrière un proxy inverse`
      : code === "EADDRNOTAVAIL" || code === "ENOTFOUND" ? `l'adresse d'écoute HOST=${host} n'existe pas sur cette machine`
      : `écoute impossible sur ${host}:${port} (${(e as Error).message})`;
    throw new StartError(`coordo ne peut pas démarrer : ${why}.`);
  }
}
