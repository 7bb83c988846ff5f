// Mail templates: zod-checked variables, HTML through hono/html (every value escaped), plain text beside it.
// A missing or mistyped variable throws TemplateError: the message is never half-rendered.
import { z } from "zod";
import { html as honoHtml, raw } from "hono/html";
import { zodIssuesFr } from "../zod-fr.ts";

export type SafeHtml = ReturnType<typeof raw>;

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export interface MailTemplate<S extends z.ZodType> {
  name: string;
  schema: S;
  subject(v: z.output<S>): string;
  html(v: z.output<S>): SafeHtml | Promise<SafeHtml>;
  text(v: z.output<S>): string;
}

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    message: string,
  ) {
    super(message);
    this.name = "TemplateError";
  }
}

export function defineMailTemplate<S extends z.ZodType>(t: MailTemplate<S>): MailTemplate<S> {
  return t;
}

/** Checks the variables then renders subject, HTML and text; throws TemplateError (French) on bad input. */
export function renderMail<S extends z.ZodType>(template: MailTemplate<S>, vars: z.input<S>): RenderedMail {
  const parsed = template.schema.safeParse(vars);
  if (!parsed.success) {
    throw new TemplateError(template.name, `Modèle de mail « ${template.name} » : variables invalides (${zodIssuesFr(parsed.error.issues)}).`);
  }
  const v = parsed.data;
  const body = template.html(v);
  if (body instanceof Promise) throw new TemplateError(template.name, `Modèle de mail « ${template.name} » : rendu asynchrone non pris en charge.`);
  return { subject: template.subject(v).replace(/[\r\n]+/g, " ").trim(), html: String(body), text: template.text(v) };
}

/** Plain text with blank-line paragraphs → escaped <p> paragraphs with <br> for single newlines. */
export function paragraphs(text: string): SafeHtml {
  const parts = text
    .replace(/\r\n/g, "\n")
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean);
  return raw(parts.map((p) => String(html`<p style="margin:0 0 12px">${p}</p>`).replace(/\n/g, "<br>")).join(""));
}

/** hono/html's escaping tagged template, synchronous (templates never use async values). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  const out = honoHtml(strings, ...values);
  if (out instanceof Promise) throw new Error("async value in a mail template");
  return out;
}

export { raw, z };
