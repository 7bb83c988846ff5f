// What nodemailer alone achieves against the same server: its pooled transport, the same number of
// connections and messages of the same size (text + HTML, List-Unsubscribe, fixed Message-ID), no database
// and no templates. It bounds what coordo can reach with nodemailer, whatever the rest costs.
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import MailComposer from "nodemailer/lib/mail-composer";

const PARA = "Bonjour, votre cotisation de cette année n'est pas encore enregistrée. Merci de la régler.\n";

function benchMail(i: number, paragraphs: number): Mail.Options {
  const text = PARA.repeat(paragraphs);
  return {
    from: "CPTS <relances@cpts-bench.fr>",
    to: `adherent${i}@bench-sante.fr`,
    subject: "Votre cotisation 2026 — rappel",
    text,
    html: `<p>${text.replace(/\n/g, "</p><p>")}</p>`,
    messageId: `<bench-${i}@cpts-bench.fr>`,
    headers: { "List-Unsubscribe": "<https://coordo.cpts-bench.fr/desinscription/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

const compose = (mail: Mail.Options) => new MailComposer(mail).compile().build();

/** As many paragraphs as make the composed message about `bodyBytes` long. */
async function paragraphsFor(bodyBytes: number): Promise<number> {
  let paragraphs = 1;
  while (paragraphs < 200 && (await compose(benchMail(0, paragraphs + 1))).length <= bodyBytes) paragraphs++;
  return paragraphs;
}

/** Sends `total` messages over `connections` pooled connections; returns the seconds taken. */
async function timedSend(port: number, total: number, connections: number, message: (i: number) => Mail.Options): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, secure: false, maxConnections: connections, maxMessages: Infinity });
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < total) await transport.sendMail(message(next++));
      }),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    transport.close();
  }
}

/** nodemailer alone composing each message as it sends it. */
export async function librarySend(port: number, total: number, connections: number, bodyBytes: number): Promise<number> {
  const paragraphs = await paragraphsFor(bodyBytes);
  return timedSend(port, total, connections, (i) => benchMail(i, paragraphs));
}

/**
 * nodemailer alone sending messages composed beforehand (MailComposer, not timed) as `raw` over its pooled
 * transport: the ceiling for coordo if its mails were composed ahead of sending (tried, see the README's
 * « Envoi » section). `smtp_vs_library` compares coordo with this, same server, same connections, same size.
 */
export async function libraryRawSend(port: number, total: number, connections: number, bodyBytes: number): Promise<number> {
  const paragraphs = await paragraphsFor(bodyBytes);
  // distinct prepared messages (cycled beyond that: memory stays small on the national set)
  const prepared: { raw: Buffer; to: string }[] = [];
  for (let i = 0; i < Math.min(total, 2000); i++) prepared.push({ raw: await compose(benchMail(i, paragraphs)), to: `adherent${i}@bench-sante.fr` });
  return timedSend(port, total, connections, (i) => {
    const p = prepared[i % prepared.length]!;
    return { envelope: { from: "relances@cpts-bench.fr", to: [p.to] }, raw: p.raw };
  });
}
