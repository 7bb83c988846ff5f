// The neutral reply as plain text: what the console and `coordo chat` print.
import type { Reply } from "../../../commands/types.ts";

export function renderText(reply: Reply, opts: { fileContent?: boolean } = {}): string {
  const out: string[] = [];
  if (reply.title) out.push(`== ${reply.title} ==`);
  if (reply.text) out.push(reply.text);
  for (const f of reply.fields ?? []) {
    const [first, ...rest] = f.value.split("\n");
    out.push(`  ${f.name} : ${first}`, ...rest.map((l) => `      ${l}`));
  }
  if (reply.confirm) out.push(`⚠ ${reply.confirm}`);
  if (reply.buttons?.length) out.push(`Boutons : ${reply.buttons.map((b, i) => `[${i + 1}] ${b.label}`).join("  ")}`);
  if (reply.modal) {
    // the console's form: each field with what was typed and why it was refused, and the line to send it again
    const m = reply.modal;
    out.push(`Formulaire « ${m.title} » :`);
    for (const f of m.fields) out.push(`  ${f.label} (${f.name}) : ${f.value ?? "—"}${f.error ? `\n      ⚠ ${f.error}` : ""}`);
    const line = m.fields.map((f) => `${f.name}=${f.value ? `"${f.value.replace(/"/g, "'")}"` : "…"}`).join(" ");
    out.push(`Pour l'envoyer corrigé : /${m.command} ${m.action} ${line}`);
  }
  if (reply.file) {
    out.push(`Fichier joint : ${reply.file.name} (${reply.file.mime}, ${Buffer.byteLength(reply.file.content)} octets)`);
    if (opts.fileContent !== false) out.push(reply.file.content);
  }
  return out.join("\n");
}
