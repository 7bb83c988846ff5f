/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// What every admin list shares: the `page`, `tri` and `sens` parameters read without ever failing
// (a bad value gives the default and a French notice), « 1–50 sur 12 345 », and column headers that
// sort while keeping the search and the filters.
import type { Context } from "hono";
import { PAGE_SIZE, pageOf } from "./ui.tsx";

export interface ListParams<S extends string> {
  sort: S;
  desc: boolean;
  /** The raw `page` asked (clamped later, once the total is known). */
  rawPage: string | undefined;
  /** French notices for parameters that were not understood (shown above the list). */
  notices: string[];
}

/**
 * Reads `tri`, `sens` and `page`. `sorts` maps each accepted `tri` to its label; the first is the
 * default. Unknown values are replaced by the default with a notice, never an error page.
 */
export function listParams<S extends string>(c: Context, sorts: Record<S, string>, defaultDesc = false): ListParams<S> {
  const keys = Object.keys(sorts) as S[];
  const notices: string[] = [];
  const rawSort = c.req.query("tri");
  let sort = keys[0]!;
  if (rawSort !== undefined && rawSort !== "") {
    if ((keys as string[]).includes(rawSort)) sort = rawSort as S;
    else notices.push(`Tri inconnu : la liste est triée par ${sorts[sort].toLowerCase()}.`);
  }
  const rawDir = c.req.query("sens");
  let desc = defaultDesc;
  if (rawDir === "asc" || rawDir === "desc") desc = rawDir === "desc";
  else if (rawDir !== undefined && rawDir !== "") notices.push("Sens de tri inconnu : « asc » (croissant) ou « desc » (décroissant) attendu.");
  const rawPage = c.req.query("page");
  if (rawPage !== undefined && rawPage !== "" && !/^\d{1,9}$/.test(rawPage)) notices.push("Numéro de page invalide : la première page est affichée.");
  return { sort, desc, rawPage: rawPage !== undefined && /^\d{1,9}$/.test(rawPage) ? rawPage : undefined, notices };
}

/** The page to show for `total` rows (out of range: the last page). */
export function listPage(p: ListParams<string>, total: number) {
  return pageOf(p.rawPage, total, PAGE_SIZE);
}

const nf = (n: number) => n.toLocaleString("fr-FR");

/** « 1–50 sur 12 345 adhérents » (or « 3 adhérents », « Aucun … » is left to the page). */
export function RangeCount({ skip, shown, total, noun, id }: { skip: number; shown: number; total: number; noun: string; id?: string }) {
  return (
    <p class="muted" id={id} aria-live="polite">
      {total > shown ? `${nf(skip + 1)}–${nf(skip + shown)} sur ${nf(total)} ${noun}` : `${nf(total)} ${noun}`}
    </p>
  );
}

export function Notices({ notices }: { notices: string[] }) {
  return notices.length ? <p class="flash bad" role="alert">{notices.join(" ")}</p> : null;
}

/**
 * A sortable column header: a link to the same list sorted by `sort` (the other direction when it
 * is already the sort), keeping `query` (search and filters, without page).
 */
export function SortHeader<S extends string>({ base, query, sort, label, current, class: cls }: { base: string; query: string; sort: S; label: string; current: ListParams<S>; class?: string }) {
  const active = current.sort === sort;
  const q = new URLSearchParams(query);
  q.delete("page");
  q.set("tri", sort);
  q.set("sens", active && !current.desc ? "desc" : "asc");
  return (
    <th class={cls} aria-sort={active ? (current.desc ? "descending" : "ascending") : undefined}>
      <a href={`${base}?${q.toString()}`}>{label}{active ? (current.desc ? " ▼" : " ▲") : ""}</a>
    </th>
  );
}

/** The query string of the list's state (filters, sort), for the pager and the export links. */
export function listQuery(values: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => Boolean(e[1]))).toString();
}
