// What nodemailer alone achieves against the same server: its pooled transport, the same number of
// connections and messages of the same size (text + HTML, List-Unsubscribe, fixed Message-ID), no database
// and no templates. It bounds what coordo can reach with nodemailer, whatever the rest costs.
import nodemailer from "nodemailer";

export async function librarySend(port: number, total: number, connections: number, bodyBytes: number): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, secure: false, maxConnections: connections, maxMessages: Infinity });
  const para = "Bonjour, votre cotisation de cette année n'est pas encore enregistrée. Merci de la régler.\n";
  // text and HTML parts of about half the message each (MIME headers and encoding add the rest)
  const text = para.repeat(Math.max(1, Math.round(bodyBytes / 2.6 / para.length)));
  const html = `<p>${text.replace(/\n/g, "</p><p>")}</p>`;
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < total) {
          const i = next++;
          await transport.sendMail({
            from: "CPTS <relances@cpts-bench.fr>",
            to: `adherent${i}@bench-sante.fr`,
            subject: "Votre cotisation 2026 — rappel",
            text,
            html,
            messageId: `<bench-${i}@cpts-bench.fr>`,
            headers: { "List-Unsubscribe": "<https://coordo.cpts-bench.fr/desinscription/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
          });
        }
      }),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    transport.close();
  }
}
