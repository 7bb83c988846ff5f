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

type FlaggedMember = {
  id: string;
  emailInvalid: boolean;
  emailInvalidAt: Date | null;
  emailInvalidReason?: string | null;
  /** Bounces after acceptance (bounces.ts): temporary ones counted, a spam complaint stops bulk mail. */
  softBounces?: number;
  emailComplainedAt?: Date | null;
};

export function EmailFlag(props: { member: FlaggedMember; csrf: string; canClear: boolean }) {
  const m = props.member;
  const bounces = (
    <>
      {m.emailComplainedAt ? (
        <div class="flash bad" id="plainte-spam" role="status">
          <strong>Plainte pour spam</strong> signalée le {formatDateTimeFr(m.emailComplainedAt)} : plus de lettre d'information ni de relance de cotisation à cette adresse.
        </div>
      ) : null}
      {m.softBounces ? (
        <p class="muted" id="rejets-temporaires">
          {m.softBounces} rejet{m.softBounces > 1 ? "s" : ""} temporaire{m.softBounces > 1 ? "s" : ""} (boîte pleine, serveur indisponible…) signalé{m.softBounces > 1 ? "s" : ""} après acceptation par le relais.
        </p>
      ) : null}
    </>
  );
  if (!m.emailInvalid) return m.emailComplainedAt || m.softBounces ? bounces : null;
  return (
    <>
    {bounces}
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
    </>
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
