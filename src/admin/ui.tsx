/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Layout and small view helpers of the admin (Hono JSX: every value is escaped).
import type { Child } from "hono/jsx";
import type { SessionUser } from "./auth.ts";
import { ROLE_LABELS } from "./auth.ts";
import { fieldId, firstInvalid, type FieldErrors, type FormValues } from "./forms.ts";
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
  { href: "/admin/modeles-de-messages", label: "Modèles de messages" },
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
  /** The form's id: prefixes the field's id (unique across the page's forms). */
  form?: string;
  type?: string;
  values?: FormValues;
  errors?: FieldErrors;
  value?: string | number | null;
  required?: boolean;
  placeholder?: string;
  step?: string;
  hint?: string;
}

/** id, error id and accessibility attributes of a field; the first field in error takes the focus. */
export function fieldAttrs(p: { name: string; form?: string; errors?: FieldErrors }) {
  const err = p.errors?.[p.name];
  const id = p.form ? fieldId(p.form, p.name) : `f-${p.name}`;
  return {
    id,
    err,
    errId: `${id}-err`,
    attrs: {
      id,
      class: err ? "invalid" : "",
      "aria-invalid": err ? ("true" as const) : undefined,
      "aria-describedby": err ? `${id}-err` : undefined,
      autofocus: err && firstInvalid(p.errors) === p.name ? true : undefined,
    },
  };
}

/** The French error of a field, the target of its aria-describedby. */
export function FieldError({ id, text }: { id: string; text?: string }) {
  return text ? <span class="err" id={id}>{text}</span> : null;
}

/** A labelled input with its French error shown right beside it. */
export function Field(p: FieldProps) {
  const v = p.values?.[p.name] ?? (p.value === null || p.value === undefined ? "" : String(p.value));
  const f = fieldAttrs(p);
  return (
    <div>
      <label for={f.id}>{p.label}</label>
      <input {...f.attrs} name={p.name} type={p.type ?? "text"} value={v} required={p.required} placeholder={p.placeholder} step={p.step} />
      {p.hint ? <span class="muted">{p.hint}</span> : null}
      <FieldError id={f.errId} text={f.err} />
    </div>
  );
}

export function SelectField(p: { name: string; label: string; form?: string; options: [string, string][]; value?: string | null; values?: FormValues; errors?: FieldErrors }) {
  const v = p.values?.[p.name] ?? p.value ?? "";
  const f = fieldAttrs(p);
  return (
    <div>
      <label for={f.id}>{p.label}</label>
      <select {...f.attrs} name={p.name}>
        {p.options.map(([k, l]) => (
          <option value={k} selected={k === v}>{l}</option>
        ))}
      </select>
      <FieldError id={f.errId} text={f.err} />
    </div>
  );
}

/**
 * The summary above a refused form: nothing was saved, then each error as a link to its field (with
 * `form`, the fields' ids are prefixed by it).
 */
export function FormError({ errors, form }: { errors?: FieldErrors; form?: string }) {
  if (!errors || Object.keys(errors).length === 0) return null;
  const fields = Object.entries(errors).filter(([k]) => k !== "_form");
  return (
    <div class="flash bad form-summary" role="alert" id={form ? `${form}-erreurs` : undefined}>
      <p>Le formulaire contient des erreurs : rien n'a été enregistré.{errors._form ? ` ${errors._form}` : " Corrigez les champs signalés :"}</p>
      {fields.length ? (
        <ul>
          {fields.map(([k, text]) => (
            <li><a href={`#${form ? fieldId(form, k) : `f-${k}`}`}>{text}</a></li>
          ))}
        </ul>
      ) : null}
    </div>
  );
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
