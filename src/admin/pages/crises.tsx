/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Crises: the activations of the crisis plan made with /plan-crise activer in the chat, the
// roll-call (disponible / indisponible, by profession and by commune, counted by
// services/crisis-activation.ts) and the return of experience written at closing. Read-only.
import type { AdminApp, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { Badge, Empty } from "../ui.tsx";
import { CRISIS_SITUATIONS, rollCallCounts, type RollCallCounts } from "../../app/services/crisis-activation.ts";
import { CrisisActivationRepository, type CrisisSituationKey } from "../../db/repos/crisis-activation-repo.ts";
import { CrisisAdminRepository } from "../../db/repos/admin-repo.ts";
import { displayName } from "../../app/services/members.ts";
import { formatDateFr } from "../../rules/index.ts";

function CountsTable({ id, head, rows }: { id: string; head: string; rows: { name: string; available: number; unavailable: number }[] }) {
  return rows.length ? (
    <div class="table-wrap">
      <table class="cards" id={id}>
        <thead><tr><th>{head}</th><th class="num">Disponibles</th><th class="num">Indisponibles</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td data-label={head}>{r.name}</td>
              <td data-label="Disponibles" class="num">{r.available}</td>
              <td data-label="Indisponibles" class="num">{r.unavailable}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  ) : (
    <Empty>Personne n'a encore répondu à l'appel.</Empty>
  );
}

export function crisisActivationRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new CrisisAdminRepository(deps.ctx.db);
  const byWhom = async (cptsId: string, labels: (string | null)[]) => {
    const names = await repo.chatActorNames(cptsId, labels.filter((l): l is string => Boolean(l)));
    return (label: string | null) => {
      if (!label) return "—";
      const m = names.get(label);
      if (m) return `${displayName(m)} (chat)`;
      return label.startsWith("admin:") ? `${label.slice("admin:".length)} (admin)` : label;
    };
  };

  app.get("/crises", async (c) => {
    const { cptsId } = c.get("user");
    const activations = await repo.activations(cptsId);
    const [counts, who] = await Promise.all([Promise.all(activations.map((a) => rollCallCounts(deps.ctx, cptsId, a.id))), byWhom(cptsId, activations.map((a) => a.activatedBy))]);
    return deps.page(
      c,
      "Crises",
      "/admin/crises",
      <section class="card">
        {activations.length ? (
          <div class="table-wrap">
            <table class="cards" id="crises">
              <thead><tr><th>Situation</th><th>Début</th><th>Fin</th><th>Déclenchée par</th><th class="num">Disponibles</th><th class="num">Indisponibles</th></tr></thead>
              <tbody>
                {activations.map((a, i) => (
                  <tr>
                    <td data-label="Situation"><a href={`/admin/crises/${a.id}`}>{CRISIS_SITUATIONS[a.situation as CrisisSituationKey]}</a></td>
                    <td data-label="Début">{formatDateFr(a.activatedOn)}</td>
                    <td data-label="Fin">{a.closedOn ? formatDateFr(a.closedOn) : <Badge kind="warn">en cours</Badge>}</td>
                    <td data-label="Déclenchée par">{who(a.activatedBy)}</td>
                    <td data-label="Disponibles" class="num">{counts[i]!.available}</td>
                    <td data-label="Indisponibles" class="num">{counts[i]!.unavailable}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>Aucune activation du plan de crise pour l'instant : déclenchez-le avec /plan-crise activer dans le chat.</Empty>
        )}
      </section>,
    );
  });

  app.get("/crises/:id", async (c) => {
    const { cptsId } = c.get("user");
    const a = await new CrisisActivationRepository(deps.ctx.db).byId(cptsId, c.req.param("id"));
    if (!a) return notFound(deps, c, "Cette activation du plan de crise");
    const [counts, who]: [RollCallCounts, (l: string | null) => string] = await Promise.all([rollCallCounts(deps.ctx, cptsId, a.id), byWhom(cptsId, [a.activatedBy])]);
    return deps.page(
      c,
      `Crise : ${counts.label}`,
      "/admin/crises",
      <>
        <section class="card">
          <p>
            {a.closedOn ? <Badge>close le {formatDateFr(a.closedOn)}</Badge> : <Badge kind="warn">en cours</Badge>} · activée le {formatDateFr(a.activatedOn)} par {who(a.activatedBy)}
            {a.grave ? " · crise sanitaire grave" : ""}
          </p>
          {a.description ? <p>{a.description}</p> : null}
          <p id="appel">
            Appel : <strong>{counts.available}</strong> disponible{counts.available > 1 ? "s" : ""} · <strong>{counts.unavailable}</strong> indisponible{counts.unavailable > 1 ? "s" : ""}
          </p>
        </section>
        <section class="card">
          <h2>Par profession</h2>
          <CountsTable id="par-profession" head="Profession" rows={counts.byProfession.map((r) => ({ name: r.label, available: r.available, unavailable: r.unavailable }))} />
        </section>
        <section class="card">
          <h2>Par commune</h2>
          <CountsTable id="par-commune" head="Commune" rows={counts.byCommune.map((r) => ({ name: r.name, available: r.available, unavailable: r.unavailable }))} />
        </section>
        <section class="card" id="retex">
          <h2>Retour d'expérience</h2>
          {a.feedback ? <>{a.feedback.split(/\n+/).map((line) => <p>{line}</p>)}</> : <Empty>Il sera demandé à la clôture de l'activation (/plan-crise cloturer dans le chat).</Empty>}
        </section>
        <p><a href="/admin/crises">← Toutes les activations</a></p>
      </>,
    );
  });
}
