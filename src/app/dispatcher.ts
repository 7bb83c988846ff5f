// One entry point for every chat platform: parse (zod) → resolve the CPTS from the workspace →
// resolve the caller and their role → check permission → run → answer. Deliveries are deduped
// by (platform, delivery id); internal errors become a short French apology with a reference.
import { z } from "zod";
import type { AppContext } from "./context.ts";
import { UserError, errorReference, excerpt } from "./errors.ts";
import { ChatRepository, newActionId, type NewAction, type ResolvedCaller, type WorkspaceRow } from "../db/repos/chat-repo.ts";
import { MemberRepository, memberName, type MemberWithRoles } from "../db/repos/member-repo.ts";
import { commands as defaultRegistry, findCommand } from "../../commands/index.ts";
import { PROFESSIONS } from "../rules/professions.ts";
import { splitPages } from "./pager.ts";
import {
  ROLE_LABELS,
  ROLE_RANK,
  type ButtonSpec,
  type Caller,
  type ChatPlatform,
  type CommandContext,
  type CommandDef,
  type OptionDef,
  type OptionValues,
  type Reply,
  type RequiredRole,
} from "../../commands/types.ts";

export interface ChatInvocation {
  platform: ChatPlatform;
  workspaceExternalId: string;
  userId: string;
  displayName?: string;
  channelId?: string;
  /** Platform delivery id (Slack trigger/event id, Discord interaction id): executed once. */
  deliveryId?: string;
  /** Where the adapter shows progress messages of long actions (see CommandContext.progress). */
  progress?: (text: string) => Promise<void>;
}

export type CommandRequest = ChatInvocation & {
  type: "command";
  command: string;
  /** Free text (console, Slack): `valeur nom=valeur nom="texte avec espaces"`. */
  text?: string;
  /** Structured options (Discord). */
  options?: OptionValues;
  /** The options were typed in the command's form (modal): a refusal names the fields (Reply.formErrors). */
  form?: boolean;
};

export type ActionRequest = ChatInvocation & { type: "action"; buttonId: string };

export interface DispatchResult {
  reply: Reply;
  /** The delivery was already handled: the adapter answers nothing more. */
  duplicate?: boolean;
}

const DEFAULT_TTL_MINUTES = 60;

export function roleOf(member: Pick<MemberWithRoles, "status" | "roles"> | null): RequiredRole {
  if (!member || member.status === "EFFACE" || member.status === "ARCHIVE") return "non_membre";
  const roles = new Set(member.roles.map((r) => r.role));
  if (roles.has("COORDONNATEUR")) return "coordonnateur";
  if (member.status !== "ACTIF") return "non_membre";
  if (roles.has("BUREAU")) return "bureau";
  if (roles.has("ADHERENT") || roles.has("CA") || roles.has("PARTENAIRE")) return "adherent";
  return "non_membre";
}

/** Splits `a b nom=valeur nom="x y" « x y »` into positional values and named values. */
export function tokenize(text: string): { positional: string[]; named: Record<string, string> } {
  const positional: string[] = [];
  const named: Record<string, string> = {};
  const re = /([a-z][a-z0-9_-]*)=(?:"([^"]*)"|«\s*([^»]*?)\s*»|(\S*))|"([^"]*)"|«\s*([^»]*?)\s*»|(\S+)/gi;
  for (const m of text.matchAll(re)) {
    if (m[1] !== undefined) named[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? "";
    else positional.push(m[5] ?? m[6] ?? m[7]!);
  }
  return { positional, named };
}

function coerce(def: OptionDef, raw: string | number | boolean): string | number | boolean {
  if (typeof raw !== "string") return raw;
  if (def.type === "integer" && /^-?\d+$/.test(raw.trim())) return Number(raw.trim());
  if (def.type === "boolean") {
    const v = raw.trim().toLowerCase();
    if (["oui", "true", "1", "vrai"].includes(v)) return true;
    if (["non", "false", "0", "faux"].includes(v)) return false;
  }
  return raw;
}

/** Maps text or structured options onto the command's declared options; unknown names are refused in French. */
export function collectOptions(cmd: CommandDef<unknown>, req: Pick<CommandRequest, "text" | "options">): OptionValues {
  const values: OptionValues = {};
  const byName = new Map(cmd.options.map((o) => [o.name, o]));
  if (req.options) {
    for (const [k, v] of Object.entries(req.options)) {
      const def = byName.get(k);
      if (!def) throw new UserError(unknownOption(cmd, k));
      if (v !== undefined) values[k] = coerce(def, v);
    }
  }
  if (req.text && req.text.trim()) {
    const { positional, named } = tokenize(req.text);
    for (const [k, v] of Object.entries(named)) {
      const def = byName.get(k);
      if (!def) throw new UserError(unknownOption(cmd, k));
      values[k] = coerce(def, v);
    }
    const free = cmd.options.filter((o) => values[o.name] === undefined && !o.namedOnly);
    if (positional.length > free.length) {
      if (free.length === 0) throw new UserError(`La commande /${cmd.name} n'attend pas de valeur en plus (« ${excerpt(positional.join(" "))} »).${usage(cmd)}`);
      // the last free option takes the rest of the text (titles, subjects)
    }
    positional.forEach((v, i) => {
      const def = free[Math.min(i, free.length - 1)]!;
      values[def.name] = i >= free.length - 1 && positional.length > free.length ? positional.slice(free.length - 1).join(" ") : coerce(def, v);
    });
  }
  return values;
}

function usage(cmd: CommandDef<unknown>): string {
  return cmd.options.length ? ` Options : ${cmd.options.map((o) => `${o.name}=${o.hint}`).join(", ")}. Exemple : ${cmd.example}` : "";
}

function unknownOption(cmd: CommandDef<unknown>, name: string): string {
  return cmd.options.length
    ? `Option inconnue « ${excerpt(name)} » pour /${cmd.name}.${usage(cmd)}`
    : `La commande /${cmd.name} n'a pas d'option (reçu « ${excerpt(name)} »).`;
}

/** One zod issue as a French sentence naming the option and its expected form. */
function issueFr(cmd: CommandDef<unknown>, issue: z.core.$ZodIssue, values: OptionValues): string {
  const name = typeof issue.path[0] === "string" ? issue.path[0] : undefined;
  const def = name ? cmd.options.find((o) => o.name === name) : undefined;
  if (!def) return issue.message;
  // a refinement that explains itself (names the option and the form) is shown as written
  if (issue.code === "custom" && issue.message && issue.message !== "Invalid input") return issue.message;
  const got = values[def.name];
  if (got === undefined) return `L'option « ${def.name} » est obligatoire : ${def.hint}.`;
  return `L'option « ${def.name} » attend ${def.hint} (reçu : « ${excerpt(got)} »).`;
}

/** Zod issues as French sentences naming each option and its expected form. */
export function optionErrorsFr(cmd: CommandDef<unknown>, issues: readonly z.core.$ZodIssue[], values: OptionValues): string {
  const lines = issues.map((issue) => issueFr(cmd, issue, values));
  return `${[...new Set(lines)].join("\n")}\nExemple : ${cmd.example}`;
}

/** A form field's error as shown beside the field (Slack caps nothing documented; kept short). */
const FIELD_ERROR_MAX = 300;

export class Dispatcher {
  readonly chat: ChatRepository;
  readonly members: MemberRepository;

  constructor(
    readonly app: AppContext,
    readonly registry: readonly CommandDef<unknown>[] = defaultRegistry,
  ) {
    this.chat = new ChatRepository(app.db);
    this.members = new MemberRepository(app.db);
  }

  async dispatch(req: CommandRequest | ActionRequest): Promise<DispatchResult> {
    const ref = errorReference();
    try {
      const tooLong = tooLongInput(req);
      if (tooLong) return { reply: { text: tooLong, ephemeral: true } };
      if (req.deliveryId && !(await this.chat.claimDelivery(req.platform, req.deliveryId))) {
        this.app.log.info("livraison de chat déjà traitée", { platform: req.platform, deliveryId: req.deliveryId });
        return { reply: { text: "", ephemeral: true }, duplicate: true };
      }
      // workspace, CPTS, identity, member and roles in one read
      const resolved = await this.chat.resolve(req.platform, req.workspaceExternalId, req.userId);
      if (!resolved) return { reply: setupReply(req) };
      return { reply: await this.handle(resolved, req) };
    } catch (e) {
      if (e instanceof UserError) return { reply: { text: e.message, ephemeral: true } };
      this.app.log.error("commande de chat en erreur", {
        ref,
        platform: req.platform,
        command: req.type === "command" ? req.command : req.buttonId.split(":")[0],
        error: e,
      });
      return { reply: { text: `Désolé, une erreur interne nous empêche de répondre (référence ${ref}). Réessayez dans un moment ; si cela persiste, transmettez cette référence à la coordination.`, ephemeral: true } };
    }
  }

  /**
   * Autocomplete values (at most 25) for an option of a command, from the workspace's own CPTS.
   * For a comma-separated list, the last item is completed.
   */
  async suggest(platform: ChatPlatform, workspaceExternalId: string, command: string, option: string, typed: string): Promise<{ label: string; value: string }[]> {
    const def = findCommand(command, this.registry)?.options.find((o) => o.name === option);
    if (!def?.autocomplete) return [];
    const workspace = await this.chat.findWorkspace(platform, workspaceExternalId);
    if (!workspace) return [];
    const head = typed.includes(",") ? typed.slice(0, typed.lastIndexOf(",") + 1) : "";
    const needle = fold(typed.slice(head.length).trim());
    const all =
      def.autocomplete === "professions"
        ? PROFESSIONS.map((p) => ({ label: p.label, value: p.key }))
        : (await this.members.communes(workspace.cptsId)).map((c) => ({ label: `${c.name}${c.postalCode ? ` (${c.postalCode})` : ""}`, value: c.name }));
    return all
      .filter((c) => !needle || fold(c.label).includes(needle) || fold(c.value).includes(needle))
      .slice(0, 25)
      .map((c) => ({ label: head ? `${head}${c.label}` : c.label, value: `${head}${c.value}`.slice(0, 100) }));
  }

  /** The caller of a resolved workspace: identity (created on first contact) → member (same CPTS only) → role. */
  private async caller(resolved: ResolvedCaller, userId: string, displayName?: string): Promise<Caller> {
    const identity = resolved.identity ?? (await this.chat.identity(resolved.workspace.id, userId, displayName));
    const member = resolved.identity ? resolved.member : identity.memberId ? await this.members.findById(resolved.workspace.cptsId, identity.memberId) : null;
    return {
      identityId: identity.id,
      platformUserId: userId,
      memberId: member && member.status !== "EFFACE" ? member.id : null,
      role: roleOf(member),
      name: member ? memberName(member) : (displayName ?? userId),
      email: member?.email ?? null,
    };
  }

  /**
   * The command's context. Buttons get their id at once; their pending actions are stored together
   * in `actions`, which the dispatcher writes (one statement) before the reply leaves.
   */
  private context(workspace: WorkspaceRow, caller: Caller, req: ChatInvocation, cmd: CommandDef<unknown>, actions: (NewAction & { id: string })[]): CommandContext {
    const now = this.app.clock.now();
    return {
      app: this.app,
      cpts: workspace.cpts,
      caller,
      platform: req.platform,
      workspaceId: workspace.id,
      channelId: req.channelId,
      today: this.app.clock.today(),
      actor: `chat:${req.platform.toLowerCase()}:${req.userId}`,
      progress: req.progress
        ? async (text: string) => {
            try {
              await req.progress!(text);
            } catch (e) {
              this.app.log.warn("message d'avancement non affiché", { platform: req.platform, error: e });
            }
          }
        : undefined,
      button: async (spec: ButtonSpec) => {
        if (spec.action.includes(":")) throw new Error(`action name must not contain ':' (${spec.action})`);
        const expires = new Date(now.getTime() + (spec.ttlMinutes ?? DEFAULT_TTL_MINUTES) * 60_000);
        const payload = { ...(spec.payload ?? {}), __anyone: spec.anyone === true, __reusable: spec.reusable === true };
        const id = newActionId();
        actions.push({ id, cptsId: workspace.cptsId, kind: `${cmd.name}:${spec.action}`, payload, createdBy: caller.identityId, expiresAt: expires });
        return { id: `${cmd.name}:${spec.action}:${id}`, label: spec.label, style: spec.style };
      },
    };
  }

  private denied(cmd: CommandDef<unknown>, caller: Caller, needed: RequiredRole, cpts: string): Reply {
    if (!caller.memberId && needed !== "non_membre") {
      return {
        text: `Votre compte n'est pas encore relié à un membre de la ${cpts}. Tapez /adhesion lier email=votre@adresse pour le relier (un code vous sera envoyé par mail), ou /adhesion nouvelle pour adhérer.`,
        ephemeral: true,
      };
    }
    return { text: `La commande /${cmd.name} est réservée ${ROLE_LABELS[needed]}. Tapez /aide pour voir les commandes qui vous sont ouvertes.`, ephemeral: true };
  }

  private async handle(resolved: ResolvedCaller, req: CommandRequest | ActionRequest): Promise<Reply> {
    const { workspace } = resolved;
    const caller = await this.caller(resolved, req.userId, req.displayName);
    const actions: (NewAction & { id: string })[] = [];
    if (req.type === "command") {
      const name = req.command.replace(/^\//, "").trim().toLowerCase();
      const cmd = findCommand(name, this.registry);
      if (!cmd) return { text: `Commande inconnue : « /${excerpt(name)} ». Tapez /aide pour la liste des commandes.`, ephemeral: true };
      if (ROLE_RANK[caller.role] < ROLE_RANK[cmd.requiredRole]) return this.denied(cmd, caller, cmd.requiredRole, workspace.cpts.name);
      const values = collectOptions(cmd, req);
      const parsed = (cmd.schemaAt?.(this.app.clock.now()) ?? cmd.schema).safeParse(values);
      const form = req.form ? cmd.forms?.[String(values.action ?? "")] : undefined;
      if (!parsed.success) {
        if (form) {
          const errors: Record<string, string> = {};
          for (const issue of parsed.error.issues) {
            const name = typeof issue.path[0] === "string" ? issue.path[0] : "";
            if (form.fields.some((f) => f.name === name)) errors[name] ??= issueFr(cmd, issue, values);
          }
          // every issue is about a field of the form: shown there
          if (Object.keys(errors).length && parsed.error.issues.every((i) => typeof i.path[0] === "string" && errors[i.path[0]])) {
            return this.refusedForm(workspace, caller, cmd, String(values.action), values, errors, optionErrorsFr(cmd, parsed.error.issues, values));
          }
        }
        return { text: optionErrorsFr(cmd, parsed.error.issues, values), ephemeral: true };
      }
      let reply: Reply;
      try {
        reply = await cmd.run(this.context(workspace, caller, req, cmd, actions), parsed.data);
      } catch (e) {
        // a service's refusal about one field of the form (commune not on the territory, e-mail already known…)
        if (form && e instanceof UserError && e.field && form.fields.some((f) => f.name === e.field)) {
          return this.refusedForm(workspace, caller, cmd, String(values.action), values, { [e.field]: e.message }, e.message);
        }
        throw e;
      }
      const first = this.paged(cmd.personal ? { ...reply, ephemeral: true } : reply, workspace, caller, cmd, actions);
      await this.chat.createActions(actions);
      return first;
    }
    const [name, action, actionId] = req.buttonId.split(":");
    const cmd = name ? findCommand(name, this.registry) : undefined;
    if (cmd && action === PAGE_ACTION && actionId) return this.page(workspace.cptsId, cmd, caller, actionId);
    if (cmd && action === FORM_ACTION && actionId) return this.reopenForm(workspace.cptsId, cmd, caller, actionId);
    if (!cmd?.onAction || !action || !actionId) return { text: "Ce bouton n'est pas reconnu : relancez la commande.", ephemeral: true };
    const row = await this.chat.findAction(workspace.cptsId, actionId);
    if (!row || row.kind !== `${cmd.name}:${action}`) return { text: `Ce bouton n'est plus valable : relancez /${cmd.name}.`, ephemeral: true };
    const payload = row.payload as Record<string, unknown>;
    if (row.expiresAt.getTime() < this.app.clock.now().getTime()) return { text: `Ce bouton a expiré : relancez /${cmd.name}.`, ephemeral: true };
    if (!payload.__anyone && row.createdBy !== caller.identityId) {
      return { text: "Ce bouton concerne la personne qui a lancé la commande : lancez-la vous-même si besoin.", ephemeral: true };
    }
    const needed = cmd.actionRoles?.[action] ?? cmd.requiredRole;
    if (ROLE_RANK[caller.role] < ROLE_RANK[needed]) return this.denied(cmd, caller, needed, workspace.cpts.name);
    if (!payload.__reusable && !(await this.chat.consumeAction(workspace.cptsId, actionId, this.app.clock.now()))) {
      return { text: "C'est déjà fait : ce bouton a déjà été utilisé.", ephemeral: true };
    }
    const clean = Object.fromEntries(Object.entries(payload).filter(([k]) => !k.startsWith("__")));
    const reply = await cmd.onAction(this.context(workspace, caller, req, cmd, actions), action, clean);
    const first = this.paged(cmd.personal ? { ...reply, ephemeral: true } : reply, workspace, caller, cmd, actions);
    await this.chat.createActions(actions);
    return first;
  }

  /**
   * A reply beyond one page (see splitPages): every page is stored as a pending action holding its
   * rendered content, with « Précédent » / « Suivant » buttons pointing at its neighbours; the
   * first page is returned. Pages live as long as the longest-lived button they carry (an
   * attendance sheet: a week). Anyone who sees a channel reply may turn its pages.
   */
  private paged(reply: Reply, workspace: WorkspaceRow, caller: Caller, cmd: CommandDef<unknown>, actions: (NewAction & { id: string })[]): Reply {
    const pages = splitPages(reply);
    if (pages.length === 1) return reply;
    const now = this.app.clock.now().getTime();
    const expiresAt = new Date(Math.max(now + DEFAULT_TTL_MINUTES * 60_000, ...actions.map((a) => a.expiresAt.getTime())));
    const ids = pages.map(() => newActionId());
    const nav = (i: number) => `${cmd.name}:${PAGE_ACTION}:${ids[i]}`;
    const withNav = pages.map((p, i) => ({
      ...p,
      buttons: [
        ...(p.buttons ?? []),
        ...(i > 0 ? [{ id: nav(i - 1), label: "« Précédent", style: "secondary" as const }] : []),
        ...(i < pages.length - 1 ? [{ id: nav(i + 1), label: "Suivant »", style: "primary" as const }] : []),
      ],
    }));
    withNav.forEach((page, i) =>
      actions.push({ id: ids[i]!, cptsId: workspace.cptsId, kind: `${cmd.name}:${PAGE_ACTION}`, payload: { page, __anyone: !reply.ephemeral, __reusable: true }, createdBy: caller.identityId, expiresAt }),
    );
    return withNav[0]!;
  }

  /**
   * A refused form submission: the reasons (text), per field (formErrors, shown inside the form
   * on Slack), and « Corriger », which reopens the form with what was typed.
   */
  private async refusedForm(workspace: WorkspaceRow, caller: Caller, cmd: CommandDef<unknown>, action: string, values: OptionValues, errors: Record<string, string>, text: string): Promise<Reply> {
    const id = newActionId();
    const typed = Object.fromEntries(Object.entries(values).filter(([k, v]) => k !== "action" && v !== undefined).map(([k, v]) => [k, String(v)]));
    const shortErrors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.length > FIELD_ERROR_MAX ? `${v.slice(0, FIELD_ERROR_MAX - 1)}…` : v]));
    // stored alone: buttons a failed run may have prepared are not kept
    await this.chat.createActions([{
      id, cptsId: workspace.cptsId, kind: `${cmd.name}:${FORM_ACTION}`, payload: { action, values: typed, errors: shortErrors, __reusable: true },
      createdBy: caller.identityId, expiresAt: new Date(this.app.clock.now().getTime() + DEFAULT_TTL_MINUTES * 60_000),
    }]);
    return {
      text: `${text}\nCorrigez le formulaire : « Corriger » le rouvre avec ce que vous aviez saisi.`,
      ephemeral: true,
      formErrors: shortErrors,
      buttons: [{ id: `${cmd.name}:${FORM_ACTION}:${id}`, label: "Corriger", style: "primary" }],
    };
  }

  /** « Corriger »: the command's form again, with the values typed and the reason beside each refused field. */
  private async reopenForm(cptsId: string, cmd: CommandDef<unknown>, caller: Caller, actionId: string): Promise<Reply> {
    const row = await this.chat.findAction(cptsId, actionId);
    if (!row || row.kind !== `${cmd.name}:${FORM_ACTION}` || row.createdBy !== caller.identityId) return { text: `Ce formulaire n'est plus disponible : relancez /${cmd.name}.`, ephemeral: true };
    if (row.expiresAt.getTime() < this.app.clock.now().getTime()) return { text: `Ce formulaire a expiré : relancez /${cmd.name}.`, ephemeral: true };
    const p = row.payload as unknown as { action: string; values: Record<string, string>; errors: Record<string, string> };
    const form = cmd.forms?.[p.action];
    if (!form) return { text: `Ce formulaire n'est plus disponible : relancez /${cmd.name}.`, ephemeral: true };
    return {
      text: `Corrigez le formulaire « ${form.title} » puis envoyez-le.`,
      ephemeral: true,
      modal: { command: cmd.name, action: p.action, title: form.title, fields: form.fields.map((f) => ({ ...f, value: p.values[f.name], error: p.errors[f.name] })) },
    };
  }

  /** A « Suivant » / « Précédent » press: the stored page, in place of the message shown. */
  private async page(cptsId: string, cmd: CommandDef<unknown>, caller: Caller, actionId: string): Promise<Reply> {
    const row = await this.chat.findAction(cptsId, actionId);
    if (!row || row.kind !== `${cmd.name}:${PAGE_ACTION}`) return { text: `Cette page n'est plus disponible : relancez /${cmd.name}.`, ephemeral: true };
    if (row.expiresAt.getTime() < this.app.clock.now().getTime()) return { text: `Cette liste a expiré : relancez /${cmd.name}.`, ephemeral: true };
    const payload = row.payload as unknown as { page: Reply; __anyone?: boolean };
    if (!payload.__anyone && row.createdBy !== caller.identityId) return { text: "Cette liste concerne la personne qui a lancé la commande : lancez-la vous-même si besoin.", ephemeral: true };
    return { ...payload.page, replace: true };
  }
}

/** The button action that reopens a refused form pre-filled (reserved, like PAGE_ACTION). */
export const FORM_ACTION = "corriger";

/** The button action that turns the pages of a long reply (reserved: no command names an action so). */
export const PAGE_ACTION = "page";

/** What a person may type in one command (Slack caps slash-command text at 4,000 characters, Discord at 6,000 per option). */
export const MAX_INPUT_CHARS = 8000;

/** A refusal, quoting nothing, for input beyond MAX_INPUT_CHARS (no error reply ever echoes a huge value). */
function tooLongInput(req: CommandRequest | ActionRequest): string | null {
  if (req.type !== "command") return req.buttonId.length > 200 ? "Ce bouton n'est pas reconnu : relancez la commande." : null;
  const sizes = [req.command.length, req.text?.length ?? 0, ...Object.values(req.options ?? {}).map((v) => (typeof v === "string" ? v.length : 0))];
  const longest = Math.max(...sizes);
  return longest > MAX_INPUT_CHARS ? `Texte trop long (${longest.toLocaleString("fr-FR")} caractères, ${MAX_INPUT_CHARS.toLocaleString("fr-FR")} au plus) : raccourcissez-le.` : null;
}

const fold = (s: string) => s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");

function setupReply(req: ChatInvocation): Reply {
  const platform = req.platform === "DISCORD" ? "discord" : req.platform === "SLACK" ? "slack" : "console";
  return {
    text:
      "Cet espace de discussion n'est relié à aucune CPTS : coordo ne peut pas encore y répondre.\n" +
      `La coordination peut le relier avec : coordo chat lier --cpts <slug de la CPTS> --plateforme ${platform} --espace ${req.workspaceExternalId}`,
    ephemeral: true,
  };
}
