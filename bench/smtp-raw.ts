// The SMTP server's acceptance ceiling: minimal SMTP clients (no library, one command at a time, one
// message per MAIL FROM, connections reused) sending `total` messages of `bodyBytes` over `connections`.
import net from "node:net";

function rawClient(port: number, count: number, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (count === 0) return resolve();
    const s = net.connect(port, "127.0.0.1");
    s.setNoDelay(true);
    s.setEncoding("utf8");
    let buf = "";
    let sent = 0;
    let step: "banner" | "ehlo" | "mail" | "rcpt" | "data" | "sent" | "quit" = "banner";
    s.on("error", reject);
    s.on("data", (d: string) => {
      buf += d;
      let idx: number;
      while ((idx = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        if (line[3] === "-") continue;
        const code = Number(line.slice(0, 3));
        if (code >= 400 && step !== "quit") return reject(new Error(`SMTP ${line}`));
        if (step === "banner") {
          s.write("EHLO bench\r\n");
          step = "ehlo";
        } else if (step === "ehlo" || step === "sent") {
          if (step === "sent") sent++;
          if (sent >= count) {
            s.write("QUIT\r\n");
            step = "quit";
          } else {
            s.write("MAIL FROM:<bench@cpts-bench.fr>\r\n");
            step = "mail";
          }
        } else if (step === "mail") {
          s.write(`RCPT TO:<adherent${sent}@bench-sante.fr>\r\n`);
          step = "rcpt";
        } else if (step === "rcpt") {
          s.write("DATA\r\n");
          step = "data";
        } else if (step === "data") {
          s.write(body);
          step = "sent";
        } else if (step === "quit") {
          s.end();
          resolve();
        }
      }
    });
  });
}

/** A message of about `bodyBytes` bytes, dot-terminated. */
export function rawMessage(bodyBytes: number): string {
  const head = "From: bench@cpts-bench.fr\r\nTo: adherent@bench-sante.fr\r\nSubject: Cotisation\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
  const line = "Bonjour, votre cotisation de cette annee n'est pas encore enregistree. Merci.\r\n";
  let text = "";
  while (head.length + text.length < bodyBytes) text += line;
  return `${head}${text}.\r\n`;
}

/** Sends `total` messages over `connections` connections; resolves with the elapsed seconds. */
export async function rawSend(port: number, total: number, connections: number, bodyBytes: number): Promise<number> {
  const body = rawMessage(bodyBytes);
  const per = Math.ceil(total / connections);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, (_, k) => rawClient(port, Math.max(0, Math.min(per, total - k * per)), body)));
  return (performance.now() - t0) / 1000;
}
