/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Picking one member of a CPTS that may hold 100,000 of them: a text field (name or e-mail) with at
// most 20 suggestions, never a dropdown of everyone. With JavaScript, the suggestions come from a
// small JSON endpoint as the coordinator types (a <datalist>); without it, submitting a partial name
// answers the form again (422) with the matching members as choices. Resolved on the server:
// an unknown member is a French error beside the field.
import type { Db } from "../db/client.ts";
import { activeMemberByEmail, activeMemberById, OWNER_SUGGESTIONS, searchActiveMembers, type MemberChoice } from "../db/repos/admin-lists-repo.ts";
import { displayName } from "../app/services/members.ts";
import { fieldId } from "./forms.ts";
import { FieldError } from "./ui.tsx";

/** « Prénom Nom (adresse) »: what the field shows and what a suggestion fills in. */
export function memberLabel(m: { firstName?: string | null; lastName?: string | null; organization?: string | null; email?: string | null }): string {
  const name = displayName(m);
  return m.email && name !== m.email ? `${name} (${m.email})` : name;
}

export type MemberPick =
  | { ok: true; member: MemberChoice | null }
  | { ok: false; error: string; candidates: MemberChoice[] };

/**
 * The member meant by a submitted field: a choice among the candidates (`choice`, an id), else the
 * e-mail in « Nom (adresse) » or typed alone, else a search that must find exactly one active member.
 * Empty text is « nobody » when `allowNone`.
 */
export async function resolveMember(db: Db, cptsId: string, input: { text?: unknown; choice?: unknown }, allowNone: boolean): Promise<MemberPick> {
  const choice = typeof input.choice === "string" ? input.choice.trim() : "";
  if (choice) {
    const m = choice.length <= 40 ? await activeMemberById(db, cptsId, choice) : null;
    return m ? { ok: true, member: m } : { ok: false, error: "Cet adhérent n'existe pas ou n'est plus actif dans votre CPTS.", candidates: [] };
  }
  const text = (typeof input.text === "string" ? input.text : "").trim();
  if (!text) return allowNone ? { ok: true, member: null } : { ok: false, error: "Tapez le nom ou l'e-mail d'un adhérent.", candidates: [] };
  if (text.length > 200) return { ok: false, error: "200 caractères au plus : tapez un nom ou une adresse e-mail.", candidates: [] };
  const email = /\(([^()\s]+@[^()\s]+)\)\s*$/.exec(text)?.[1] ?? (/^[^\s@]+@[^\s@]+$/.test(text) ? text : null);
  if (email) {
    const m = await activeMemberByEmail(db, cptsId, email);
    if (m) return { ok: true, member: m };
  }
  const found = await searchActiveMembers(db, cptsId, email && /\(/.test(text) ? text.replace(/\s*\([^()]*\)\s*$/, "") : text, OWNER_SUGGESTIONS + 1);
  if (found.length === 1) return { ok: true, member: found[0]! };
  if (!found.length) return { ok: false, error: `Aucun adhérent actif de votre CPTS ne correspond à « ${text.slice(0, 60)} » : vérifiez l'orthographe ou tapez son e-mail.`, candidates: [] };
  const many = found.length > OWNER_SUGGESTIONS;
  return {
    ok: false,
    error: many ? `Plus de ${OWNER_SUGGESTIONS} adhérents correspondent à « ${text.slice(0, 60)} » : précisez (nom complet ou e-mail) ou choisissez ci-dessous.` : `${found.length} adhérents correspondent à « ${text.slice(0, 60)} » : choisissez ci-dessous.`,
    candidates: found.slice(0, OWNER_SUGGESTIONS),
  };
}

/** The JSON of the suggestions endpoint: at most 20 active members matching `q`. */
export async function memberSuggestions(db: Db, cptsId: string, q: string): Promise<{ suggestions: { id: string; label: string }[] }> {
  const rows = q.trim().length >= 2 ? await searchActiveMembers(db, cptsId, q) : [];
  return { suggestions: rows.map((m) => ({ id: m.id, label: memberLabel(m) })) };
}

/**
 * The field: label, text input tied to its suggestions, hint, the French error beside it, and the
 * candidates of an ambiguous search as radio buttons (no JavaScript needed).
 */
export function MemberSearchField(p: {
  form: string;
  name: string;
  label: string;
  value: string;
  hint: string;
  suggestUrl: string;
  error?: string;
  candidates?: MemberChoice[];
  autofocus?: boolean;
}) {
  const id = fieldId(p.form, p.name);
  const listId = `${id}-suggestions`;
  const hintId = `${id}-aide`;
  const errId = `${id}-err`;
  return (
    <div class="member-search">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type="search"
        value={p.value}
        list={listId}
        autocomplete="off"
        maxlength={200}
        class={p.error ? "invalid" : ""}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={p.error ? `${hintId} ${errId}` : hintId}
        autofocus={p.error && p.autofocus ? true : undefined}
        data-member-search={p.suggestUrl}
      />
      <datalist id={listId}>
        {(p.candidates ?? []).map((m) => <option value={memberLabel(m)} />)}
      </datalist>
      <span class="muted" id={hintId}>{p.hint}</span>
      <FieldError id={errId} text={p.error} />
      {p.candidates?.length ? (
        <fieldset class="stack">
          <legend>Adhérents trouvés</legend>
          {p.candidates.map((m, i) => (
            <label class="check"><input type="radio" name={`${p.name}Choix`} value={m.id} checked={i === 0 && p.candidates!.length === 1} /> {memberLabel(m)}</label>
          ))}
        </fieldset>
      ) : null}
    </div>
  );
}
