// What nodemailer alone achieves against the same server: its pooled transport, the same number of
// connections and messages of the same size (text + HTML, List-Unsubscribe, fixed Message-ID), no database
// and no templates. It bounds what coordo can reach with nodemailer, whatever the rest costs.
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";

export async function librarySend(port: number, total: number, connections: number, bodyBytes: number): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, secure: false, maxConnections: connections, maxMessages: Infinity });
  const para = "Bonjour, votre cotisation de cette année n'est pas encore enregistrée. Merci de la régler.\n";
  const mail = (i: number, paragraphs: number) => {
    const text = para.repeat(paragraphs);
    return {
      from: "CPTS <relances@cpts-bench.fr>",
      to: `adherent${i}@bench-sante.fr`,
      subject: "Votre cotisation 2026 — rappel",
      text,
      html: `<p>${text.replace(/\n/g, "</p><p>")}</p>`,
      messageId: `<bench-${i}@cpts-bench.fr>`,
      headers: { "List-Unsubscribe": "<https://coordo.cpts-bench.fr/desinscription/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    };
  };
  // as many paragraphs as make the composed message about `bodyBytes` long
  let paragraphs = 1;
  while (paragraphs < 200 && (await new MailComposer(mail(0, paragraphs + 1)).compile().build()).length <= bodyBytes) paragraphs++;
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < total) {
          const i = next++;
          await transport.sendMail(mail(i, paragraphs));
        }
      }),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    transport.close();
  }
}

/**
 * nodemailer alone sending messages composed beforehand (MailComposer, not timed) as `raw` over its pooled
 * transport: what coordo does since its mails are composed ahead (src/mail/prepare.ts). `smtp_vs_library`
 * compares coordo with this, same server, same connections, same message size.
 */
export async function libraryRawSend(port: number, total: number, connections: number, bodyBytes: number): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, secure: false, maxConnections: connections, maxMessages: Infinity });
  const para = "Bonjour, votre cotisation de cette année n'est pas encore enregistrée. Merci de la régler.\n";
  const mail = (i: number, paragraphs: number) => {
    const text = para.repeat(paragraphs);
    return {
      from: "CPTS <relances@cpts-bench.fr>",
      to: `adherent${i}@bench-sante.fr`,
      subject: "Votre cotisation 2026 — rappel",
      text,
      html: `<p>${text.replace(/\n/g, "</p><p>")}</p>`,
      messageId: `<bench-${i}@cpts-bench.fr>`,
      headers: { "List-Unsubscribe": "<https://coordo.cpts-bench.fr/desinscription/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    };
  };
  let paragraphs = 1;
  while (paragraphs < 200 && (await new MailComposer(mail(0, paragraphs + 1)).compile().build()).length <= bodyBytes) paragraphs++;
  // distinct prepared messages (cycled beyond that: memory stays small on the national set)
  const prepared: { raw: Buffer; to: string }[] = [];
  for (let i = 0; i < Math.min(total, 2000); i++) prepared.push({ raw: await new MailComposer(mail(i, paragraphs)).compile().build(), to: `adherent${i}@bench-sante.fr` });
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < total) {
          const p = prepared[next++ % prepared.length]!;
          await transport.sendMail({ envelope: { from: "relances@cpts-bench.fr", to: [p.to] }, raw: p.raw });
        }
      }),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    transport.close();
  }
}
