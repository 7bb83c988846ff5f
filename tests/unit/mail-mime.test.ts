// The one-pass composer (src/mail/mime.ts) against nodemailer's own MailComposer: both outputs parsed by
// mailparser must carry the same From, To, Reply-To, Subject, Message-ID, extra headers, text and HTML, for
// the awkward inputs real mails have (accents, quotes in names, long subjects, emoji, lines starting with a dot,
// very long lines, CR LF, non-Latin scripts). Inputs outside the fast shape must fall back (null).
import { describe, expect, it } from "vitest";
import { simpleParser, type AddressObject } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer";
import { composeRaw, envelopeOf, loadMimeEncoders, quotedPrintable } from "../../src/mail/mime.ts";
import { nodemailerOptions, type OutgoingMail } from "../../src/mail/transport.ts";

const enc = await loadMimeEncoders();

const base: OutgoingMail = {
  from: { name: "CPTS Sud-Loire", address: "relances@cpts-demo.fr" },
  to: "marie.dupont@exemple.fr",
  subject: "Votre cotisation 2026",
  text: "Bonjour,\nvotre cotisation n'est pas enregistrée.\n",
  html: "<p>Bonjour,</p><p>votre cotisation n'est pas enregistrée.</p>",
  messageId: "<relance.123@cpts-demo.fr>",
};

const long = "Une ligne très longue sans retour à la ligne, répétée pour dépasser largement les 76 caractères permis. ".repeat(20);
const cases: [string, Partial<OutgoingMail>][] = [
  ["mail ordinaire", {}],
  ["texte seul, ASCII court (7bit)", { html: undefined, text: "Hello\nWorld\n" }],
  ["nom avec guillemets et virgule", { from: { name: 'CPTS "Loire", Nord', address: "relances@cpts-demo.fr" } }],
  ["nom accentué", { from: { name: "CPTS Pays d'Ancenis — Équipe", address: "relances@cpts-demo.fr" } }],
  ["objet long accentué", { subject: `Rappel : ${"cotisation à régler avant l'échéance, merci d'avance ".repeat(4)}` }],
  ["objet avec emoji", { subject: "🚨 Plan de crise activé — réponse attendue" }],
  ["ligne commençant par un point", { text: ".\n.point\nFrom le début\n..\n", html: "<p>.</p>\n.\n" }],
  ["lignes très longues", { text: long, html: `<p>${long}</p>` }],
  ["CR LF et LF mêlés", { text: "a\r\nb\nc\r\n\r\nd", html: "<b>a</b>\r\n<i>b</i>\n" }],
  ["écriture non latine (base64)", { text: "Здравствуйте, ваш взнос не зарегистрирован. 你好", subject: "Взнос 2026" }],
  ["Reply-To, en-têtes de liste et de suivi", {
    replyTo: "coordination@cpts-demo.fr",
    headers: {
      "List-Unsubscribe": "<https://coordo.cpts-demo.fr/desabonnement/abc?type=relances>, <mailto:rebonds@cpts-demo.fr?subject=desabonnement%20relances%20abc>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "Auto-Submitted": "auto-generated",
      "List-Id": "CPTS Sud Loire <sud-loire.lettre.cpts-demo.fr>",
      "X-Mailin-custom": "cm123",
      "X-Note": "élément accentué",
    },
  }],
  ["corps vides", { text: "", html: "" }],
  ["boundary-like text", { text: "--_coordo-\n--\n", html: "--x--" }],
];

async function parsed(raw: Buffer) {
  const p = await simpleParser(raw);
  const addr = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value).map((v) => ({ name: v.name, address: v.address }));
  const extra = [...p.headers.entries()].filter(([k]) => /^(list-|auto-|x-)/.test(k)).map(([k, v]) => [k, typeof v === "object" && v && "text" in v ? (v as { text: string }).text : String(v)]);
  return {
    from: addr(p.from),
    to: addr(p.to),
    replyTo: addr(p.replyTo),
    subject: p.subject,
    messageId: p.messageId,
    text: (p.text ?? "").replace(/\r\n/g, "\n").replace(/\n$/, ""),
    html: p.html === false ? "" : (p.html ?? "").replace(/\r\n/g, "\n").replace(/\n$/, ""),
    extra: Object.fromEntries(extra),
  };
}

describe("composition en une passe (mime.ts) = MailComposer de nodemailer", () => {
  it.each(cases)("%s", async (_name, over) => {
    const mail = { ...base, ...over } as OutgoingMail;
    const ours = composeRaw(enc, mail)!;
    expect(ours).not.toBeNull();
    const theirs = await new MailComposer(nodemailerOptions(mail)).compile().build();
    const [a, b] = [await parsed(ours), await parsed(theirs)];
    expect(a).toEqual(b);
    // RFC 5322: CRLF only, no line over 998 octets, 7-bit bytes only (everything encoded)
    const s = ours.toString("latin1");
    expect(s.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(Math.max(...s.split("\r\n").map((l) => l.length))).toBeLessThanOrEqual(998);
    expect(s).not.toMatch(/[^\x00-\x7f]/);
    expect(a.subject).toBe(mail.subject);
    expect(a.text).toBe((mail.text ?? "").replace(/\r\n?/g, "\n").replace(/\n$/, ""));
  });

  it.each([
    ["destinataire à domaine accentué", { to: "marie@sagefemme-sévigné.fr" }],
    ["destinataire entre guillemets", { to: '"marie dupont"@exemple.fr' }],
    ["expéditeur sous forme de texte", { from: "CPTS <relances@cpts-demo.fr>" }],
    ["en-tête Subject en double", { headers: { Subject: "autre" } }],
    ["nom d'en-tête invalide", { headers: { "X Bad": "1" } }],
  ] as [string, Partial<OutgoingMail>][])("hors du cas courant, repli sur MailComposer : %s", (_name, over) => {
    expect(composeRaw(enc, { ...base, ...over } as OutgoingMail)).toBeNull();
  });

  it("un CR seul est un saut de ligne (nodemailer le supprime : « b\\rc » deviendrait « bc »)", async () => {
    const p = await parsed(composeRaw(enc, { ...base, text: "a\rb", html: undefined })!);
    expect(p.text).toBe("a\nb");
  });

  it("enveloppe : Return-Path VERP s'il est donné, sinon l'adresse d'expédition ; un seul destinataire", () => {
    expect(envelopeOf(base)).toEqual({ from: "relances@cpts-demo.fr", to: ["marie.dupont@exemple.fr"] });
    expect(envelopeOf({ ...base, envelope: { from: "rebonds+cm1@cpts-demo.fr", to: "marie.dupont@exemple.fr" } })).toEqual({ from: "rebonds+cm1@cpts-demo.fr", to: ["marie.dupont@exemple.fr"] });
    expect(envelopeOf({ ...base, from: "CPTS <relances@cpts-demo.fr>" })).toEqual({ from: "relances@cpts-demo.fr", to: ["marie.dupont@exemple.fr"] });
  });
});

/** RFC 2045 decoding: soft breaks removed, then each =XX is its byte. */
function decodeQp(qp: string): string {
  const bytes: number[] = [];
  const s = qp.replace(/=\r\n/g, "");
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "=") {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

describe("quotedPrintable (one pass, RFC 2045 §6.7)", () => {
  const accents = "Cotisation réglée à l'échéance — merci, Hélène ! ".repeat(6);
  const inputs: [string, string][] = [
    ["vide", ""],
    ["ASCII court", "Bonjour"],
    ["accents sur une longue ligne", accents],
    ["signes égal et espaces", "a = b  =  c ==\n x=3D "],
    ["espace et tabulation en fin de ligne", "fin \ttab\t\nespace \n \n"],
    ["ligne de 75, 76 et 77 caractères", `${"x".repeat(75)}\n${"y".repeat(76)}\n${"z".repeat(77)}`],
    ["mot sans espace plus long qu'une ligne", "é".repeat(40) + "a".repeat(200)],
    ["emoji (paires de substitution) et CJK", "🚨 alerte 你好 ".repeat(12)],
    ["substitut isolé", "a\ud800b\udc00c"],
    ["caractères de contrôle", "a\x00b\x07c\x7fd\x1b"],
    ["lignes vides et point en tête", "\n\n.\n..point\n"],
    ["HTML", `<p style="color:#333">${accents}</p>\n<a href="https://exemple.fr/?a=1&b=2">lien</a>`],
  ];
  it.each(inputs)("%s : décodé, redonne le texte ; lignes de 76 caractères au plus, ASCII imprimable", (_name, input) => {
    const out = quotedPrintable(input);
    const expected = Buffer.from(input, "utf8").toString("utf8"); // lone surrogates as U+FFFD
    expect(decodeQp(out)).toBe(expected.replace(/\n/g, "\r\n"));
    for (const line of out.split("\r\n")) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).toMatch(/^[\t\x20-\x7e]*$/);
      expect(line).not.toMatch(/[ \t]$/); // trailing white space is encoded or followed by a soft break
      expect(line).toMatch(/^(?:[^=]|=[0-9A-F]{2})*=?$/); // whole "=XX" only, then at most a soft break
    }
    expect(out).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  });

  it("coupe après une espace quand il y en a une près de la fin de ligne", () => {
    const out = quotedPrintable("Bonjour Hélène, votre cotisation 2026 n'est pas encore enregistrée : merci de la régler.");
    const first = out.split("\r\n")[0]!;
    expect(first).toMatch(/ =$/);
  });

  it("un corps plus grand que le tampon réutilisé (lettre d'information lourde) est encodé entier", () => {
    const big = `${"Réunion plénière à 18 h — ordre du jour détaillé, ".repeat(30)}\n`.repeat(150); // ≈ 230 000 caractères
    const out = quotedPrintable(big);
    expect(decodeQp(out)).toBe(big.replace(/\n/g, "\r\n"));
    expect(quotedPrintable("é")).toBe("=C3=A9"); // and the shared buffer still serves small ones
  });

  it("ne coupe pas la séquence UTF-8 d'un caractère", () => {
    for (const line of quotedPrintable("é".repeat(100)).split("\r\n")) expect(line).toMatch(/^(=C3=A9)*=?$/);
  });
});
