// The platform-neutral shape of a slash command: data (name, French description, options,
// required role) plus `run`, which returns a neutral Reply. Adapters translate; commands never
// import discord.js or Bolt.
import type { z } from "zod";
import type { AppContext } from "../src/app/context.ts";

export type RequiredRole = "non_membre" | "adherent" | "bureau" | "coordonnateur";

export const ROLE_RANK: Record<RequiredRole, number> = { non_membre: 0, adherent: 1, bureau: 2, coordonnateur: 3 };

/** Who a role admits, written to follow « réservée » (« réservée au bureau et à la coordination »). */
export const ROLE_LABELS: Record<RequiredRole, string> = {
  non_membre: "à tous",
  adherent: "aux adhérents",
  bureau: "au bureau et à la coordination",
  coordonnateur: "à la coordination",
};

export type ChatPlatform = "DISCORD" | "SLACK" | "CONSOLE";

export type OptionType = "string" | "integer" | "boolean";

export interface OptionDef {
  name: string;
  description: string;
  type: OptionType;
  required?: boolean;
  choices?: { label: string; value: string }[];
  /** Values suggested while typing (Discord autocomplete, at most 25). */
  autocomplete?: "professions" | "communes";
  /** The expected form, shown when the value is invalid (e.g. « AAAA-MM-JJ »). */
  hint: string;
  /** Given only as `nom=valeur`, never filled by a positional word (so free text keeps going to the earlier options). */
  namedOnly?: boolean;
}

export type ButtonStyle = "primary" | "secondary" | "danger" | "success";

export interface ReplyButton {
  /** `<command>:<action>:<pending action id>`, at most 100 characters (Discord custom_id). */
  id: string;
  label: string;
  style?: ButtonStyle;
}

export interface ReplyField {
  name: string;
  value: string;
}

export interface ReplyFile {
  name: string;
  mime: string;
  content: string;
}

export interface ModalField {
  /** The command option the answer fills. */
  name: string;
  label: string;
  placeholder?: string;
  required?: boolean;
  /** Pre-filled value (a form reopened to correct it keeps what was typed). */
  value?: string;
  /** Why the value typed was refused (a form reopened to correct it). */
  error?: string;
}

/** A form a command offers for one of its actions (see CommandDef.forms). */
export interface FormDef {
  title: string;
  fields: ModalField[];
}

/**
 * A form opened instead of the reply where the platform has them (Discord, Slack); its submission
 * runs `command` again with `options` plus the typed fields. The console shows the reply's text.
 */
export interface ReplyModal {
  command: string;
  /** Fixed options of the submission (e.g. { action: "nouvelle" }); encoded in the form id. */
  action: string;
  title: string;
  fields: ModalField[];
}

export interface Reply {
  title?: string;
  text: string;
  fields?: ReplyField[];
  buttons?: ReplyButton[];
  /** A warning shown above confirmation buttons (what pressing them will do). */
  confirm?: string;
  file?: ReplyFile;
  /** Only the caller sees it (personal data, previews). */
  ephemeral?: boolean;
  /** A form to open in place of this reply (see ReplyModal); `text` is the fallback. */
  modal?: ReplyModal;
  /** Replaces the message whose button was pressed (a page of a long list) instead of adding one. */
  replace?: boolean;
  /**
   * A submitted form was refused: the French reason per field (option name). Slack shows them
   * inside the form, which stays open; elsewhere `text` says it and a « Corriger » button reopens
   * the form with the typed values.
   */
  formErrors?: Record<string, string>;
}

export interface ChatCpts {
  id: string;
  slug: string;
  name: string;
  paymentLink: string | null;
  paymentInstructions: string | null;
  contactEmail: string | null;
}

export interface Caller {
  identityId: string;
  platformUserId: string;
  memberId: string | null;
  role: RequiredRole;
  name: string;
  email: string | null;
}

export interface ButtonSpec {
  action: string;
  label: string;
  style?: ButtonStyle;
  payload?: Record<string, unknown>;
  /** Anyone allowed by the action's role may press it (default: only the caller). */
  anyone?: boolean;
  /** May be pressed several times (default: once). */
  reusable?: boolean;
  ttlMinutes?: number;
}

export interface CommandContext {
  app: AppContext;
  cpts: ChatCpts;
  caller: Caller;
  platform: ChatPlatform;
  workspaceId: string;
  channelId?: string;
  today: string;
  /** "chat:<platform>:<user id>" for audit logs and services. */
  actor: string;
  /** A button whose pending state is stored (ChatAction) and checked when it is pressed. */
  button(spec: ButtonSpec): Promise<ReplyButton>;
  /**
   * Shows where a long action stands (Discord: edits the deferred reply; Slack: replaces the
   * message; console: prints). Absent when the platform cannot show it; never throws.
   */
  progress?(text: string): Promise<void>;
}

/** The form id of a modal: `<command>:<action>` (at most 100 characters). */
export const modalId = (m: Pick<ReplyModal, "command" | "action">) => `${m.command}:${m.action}`;

/** The command request of a submitted form: the command, `action`, and the non-empty typed values. */
export function modalSubmission(id: string, values: Record<string, string | undefined>): { command: string; options: Record<string, string> } {
  const [command = "", action = ""] = id.split(":");
  const options: Record<string, string> = { action };
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v.trim() !== "") options[k] = v.trim();
  return { command, options };
}

export type OptionValues = Record<string, string | number | boolean | undefined>;

export interface CommandDef<I = OptionValues> {
  name: string;
  description: string;
  requiredRole: RequiredRole;
  options: OptionDef[];
  schema: z.ZodType<I>;
  /** The schema for a given instant (options checked against the clock, e.g. a date in the future); used by the dispatcher when present. */
  schemaAt?(now: Date): z.ZodType<I>;
  /** One example invocation shown by /aide. */
  example: string;
  /** Takes more than a second: adapters defer before running it. */
  slow?: boolean;
  /** Personal data: replies are always ephemeral. */
  personal?: boolean;
  run(ctx: CommandContext, input: I): Promise<Reply>;
  onAction?(ctx: CommandContext, action: string, payload: Record<string, unknown>): Promise<Reply>;
  /** Role needed per button action, when it differs from requiredRole (e.g. anyone signs an attendance). */
  actionRoles?: Record<string, RequiredRole>;
  /** Forms by action (e.g. « nouvelle »): opened with `modal`, reopened pre-filled when a submission is refused. */
  forms?: Record<string, FormDef>;
}

export function defineCommand<I>(def: CommandDef<I>): CommandDef<I> {
  return def;
}
