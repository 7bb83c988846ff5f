/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Layout and small view helpers of the admin (Hono JSX: every value is escaped).
import type { Child } from "hono/jsx";
import type { SessionUser } from "./auth.ts";
import { ROLE_LABELS } from "./auth.ts";
import type { FieldErrors, FormValues } from "./forms.ts";
import { formatDateTimeFr } from "../rules/paris-time.ts";

export const NAV: { href: string; label: string }[] = [
  { href: "/admin", label: "Tableau de bord" },
  { href: "/admin/cpts", label: "CPTS" },
  { href: "/admin/adherents", label: "Adhérents" },
  { href: "/admin/paiements-a-verifier", label: "Paiements à vérifier" },
  { href: "/admin/newsletters", label: "Newsletters" },
  { href: "/admin/echeances", label: "Échéances" },
  { href: "/admin/financement", label: "Financement" },
  { href: "/admin/plan-de-crise", label: "Plan de crise" },
  { href: "/admin/crises", label: "Crises" },
  { href: "/admin/reunions", label: "Réunions et indemnités" },
  { href: "/admin/votes", label: "Votes d'AG" },
  { href: "/admin/envois", label: "Envois" },
  { href: "/admin/journal", label: "Journal" },
];

export interface PageMeta {
  title: string;
  user: SessionUser;
  csrf: string;
  active: string;
  flash?: { kind: "ok" | "bad"; text: string } | null;
  /** The relay refuses our sending (circuit breaker open): a banner on every page. */
  mailSuspended?: { since: Date | null; reason: string | null; nextProbeAt: Date | null } | null;
}

export function Layout(props: PageMeta & { children?: Child }) {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · coordo</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/admin/assets/admin.css" />
      </head>
      <body>
        <a class="skip" href="#contenu">Aller au contenu</a>
        <header class="top">
          <a class="brand" href="/admin">coordo · {props.user.cptsName}</a>
          <span class="who">
            {props.user.email} ({ROLE_LABELS[props.user.role]})
          </span>
          <form method="post" action="/admin/deconnexion">
            <Csrf token={props.csrf} />
            <button type="submit">Se déconnecter</button>
          </form>
        </header>
        <nav class="main" aria-label="Navigation principale">
          {NAV.map((n) => (
            <a href={n.href} class={n.href === props.active ? "on" : ""} aria-current={n.href === props.active ? "page" : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <main id="contenu" tabindex={-1}>
          {props.mailSuspended ? (
            <div class="flash bad" role="alert" id="envois-suspendus">
              Envois de mails suspendus{props.mailSuspended.since ? ` depuis le ${formatDateTimeFr(props.mailSuspended.since)}` : ""} : le relais SMTP refuse l'envoi
              {props.mailSuspended.reason ? ` (${props.mailSuspended.reason})` : ""}. Les messages restent en file et aucune adresse d'adhérent n'est mise en cause ; les envois
              reprendront d'eux-mêmes dès qu'un essai passe{props.mailSuspended.nextProbeAt ? ` (prochain essai le ${formatDateTimeFr(props.mailSuspended.nextProbeAt)})` : ""}. Voir la page <a href="/admin/envois">Envois</a>.
            </div>
          ) : null}
          <h1>{props.title}</h1>
          {props.flash ? <div class={`flash ${props.flash.kind}`} role="status">{props.flash.text}</div> : null}
          {props.children}
        </main>
        <script src="/admin/assets/admin.js" defer></script>
      </body>
    </html>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  values?: FormValues;
  errors?: FieldErrors;
  value?: string | number | null;
  required?: boolean;
  placeholder?: string;
  step?: string;
  hint?: string;
}

/** A labelled input with its French error shown right beside it. */
export function Field(p: FieldProps) {
  const err = p.errors?.[p.name];
  const v = p.values?.[p.name] ?? (p.value === null || p.value === undefined ? "" : String(p.value));
  const id = `f-${p.name}`;
  return (
    <div>
      <label for={id}>{p.label}</label>
      <input id={id} name={p.name} type={p.type ?? "text"} value={v} required={p.required} placeholder={p.placeholder} step={p.step}
        class={err ? "invalid" : ""} aria-invalid={err ? "true" : undefined} aria-describedby={err ? `${id}-err` : undefined} />
      {p.hint ? <span class="muted">{p.hint}</span> : null}
      {err ? <span class="err" id={`${id}-err`}>{err}</span> : null}
    </div>
  );
}

export function SelectField(p: { name: string; label: string; options: [string, string][]; value?: string | null; values?: FormValues; errors?: FieldErrors }) {
  const err = p.errors?.[p.name];
  const v = p.values?.[p.name] ?? p.value ?? "";
  const id = `f-${p.name}`;
  return (
    <div>
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} class={err ? "invalid" : ""}>
        {p.options.map(([k, l]) => (
          <option value={k} selected={k === v}>{l}</option>
        ))}
      </select>
      {err ? <span class="err" id={`${id}-err`}>{err}</span> : null}
    </div>
  );
}

export function FormError({ errors }: { errors?: FieldErrors }) {
  if (!errors || Object.keys(errors).length === 0) return null;
  return <div class="flash bad" role="alert">Le formulaire contient des erreurs : rien n'a été enregistré. Corrigez les champs signalés.{errors._form ? ` ${errors._form}` : ""}</div>;
}

export function Badge({ kind, children }: { kind?: "ok" | "warn" | "bad"; children?: Child }) {
  return <span class={`badge ${kind ?? ""}`}>{children}</span>;
}

export function Empty({ children }: { children?: Child }) {
  return <p class="muted">{children}</p>;
}

export const PAGE_SIZE = 50;

/** The page asked in `?page=` (1 when absent or invalid), clamped to the pages there are. */
export function pageOf(raw: string | undefined, total: number, size = PAGE_SIZE): { page: number; pages: number; skip: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const n = Number.parseInt(raw ?? "", 10);
  const page = Number.isFinite(n) ? Math.min(Math.max(1, n), pages) : 1;
  return { page, pages, skip: (page - 1) * size };
}

/** « Page 2 sur 8 » with previous / next links keeping the other query parameters. */
export function Pager(p: { base: string; query: string; page: number; pages: number }) {
  if (p.pages <= 1) return null;
  const href = (n: number) => {
    const q = new URLSearchParams(p.query);
    q.set("page", String(n));
    return `${p.base}?${q.toString()}`;
  };
  return (
    <nav class="pager actions" aria-label="Pages">
      {p.page > 1 ? <a class="btn secondary" href={href(p.page - 1)} rel="prev">Page précédente</a> : null}
      <span aria-current="page">Page {p.page} sur {p.pages}</span>
      {p.page < p.pages ? <a class="btn secondary" href={href(p.page + 1)} rel="next">Page suivante</a> : null}
    </nav>
  );
}
