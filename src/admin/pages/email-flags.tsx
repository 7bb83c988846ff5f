/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// « Adresse invalide » on the member page: the flag, its date and the server's reason, and (coordinator) the
// action that clears a flag set by mistake and re-queues the mails that failed because of it.
import type { AdminApp, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { Csrf } from "../ui.tsx";
import { clearEmailFlags } from "../../app/services/email-flags.ts";
import { formatDateTimeFr } from "../../rules/paris-time.ts";

export function EmailFlag(props: { member: { id: string; emailInvalid: boolean; emailInvalidAt: Date | null; emailInvalidReason?: string | null }; csrf: string; canClear: boolean }) {
  const m = props.member;
  if (!m.emailInvalid) return null;
  return (
    <div class="flash bad" id="adresse-invalide" role="status">
      <strong>Adresse marquée invalide</strong>
      {m.emailInvalidAt ? ` le ${formatDateTimeFr(m.emailInvalidAt)}` : ""}
      {m.emailInvalidReason ? ` — réponse du serveur : « ${m.emailInvalidReason} »` : ""}. Les relances, newsletters et alertes ne lui sont plus envoyées.
      {props.canClear ? (
        <form method="post" action={`/admin/adherents/${m.id}/adresse-retablie`}>
          <Csrf token={props.csrf} />
          <button type="submit">L'adresse est valide : lever le marquage et renvoyer les mails en échec</button>
        </form>
      ) : null}
    </div>
  );
}

export function emailFlagRoutes(app: AdminApp, deps: AdminDeps): void {
  app.post("/adherents/:id/adresse-retablie", requireRole("COORDONNATEUR"), async (c) => {
    const { cptsId } = c.get("user");
    const id = c.req.param("id");
    const member = await deps.ctx.db.member.findFirst({ where: { id, cptsId }, select: { id: true, emailInvalid: true } });
    if (!member) return notFound(deps, c, "Cet adhérent");
    if (!member.emailInvalid) return redirectWith(c, `/admin/adherents/${id}`, "ok", "Cette adresse n'est pas marquée invalide : rien à faire.");
    const r = await clearEmailFlags(deps.ctx.db, cptsId, [id], deps.actor(c));
    return redirectWith(c, `/admin/adherents/${id}`, "ok", `Marquage levé. ${r.requeued} mail(s) en échec remis en file.`);
  });
}
