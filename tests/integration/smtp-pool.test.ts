// The SMTP pool (src/mail/smtp-pool.ts, through smtpTransport) against a real smtp-server on 127.0.0.1:
// a relay that closes idle sessions, one that wants a login, a refused recipient in the middle of a session,
// and the pool size as the relay sees it.
import { afterEach, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { simpleParser } from "mailparser";
import { spawn } from "node:child_process";
import { smtpTransport, classifySmtpError, type OutgoingMail } from "../../src/mail/transport.ts";
import type { Config } from "../../src/config.ts";

interface Relay {
  port: number;
  messages: { to: string[]; raw: string; session: string }[];
  sessions: Set<string>;
  peak: number;
  close(): Promise<void>;
}

async function startRelay(opts: { idleMs?: number; auth?: { user: string; pass: string }; refuse?: string[] } = {}): Promise<Relay> {
  const relay = { messages: [], sessions: new Set<string>(), peak: 0 } as unknown as Relay;
  let open = 0;
  const server = new SMTPServer({
    authOptional: !opts.auth,
    disabledCommands: opts.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    logger: false,
    ...(opts.idleMs ? { socketTimeout: opts.idleMs } : {}),
    onConnect(_s, cb) {
      open++;
      relay.peak = Math.max(relay.peak, open);
      cb();
    },
    onClose() {
      open--;
    },
    onAuth(auth, _s, cb) {
      if (auth.username === opts.auth?.user && auth.password === opts.auth?.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onRcptTo(address, _s, cb) {
      if (opts.refuse?.includes(address.address)) return cb(Object.assign(new Error("5.1.1 Mailbox unknown"), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        relay.sessions.add(session.id);
        relay.messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8"), session: session.id });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  relay.port = (server.server.address() as AddressInfo).port;
  relay.close = () => new Promise<void>((r) => server.close(() => r()));
  return relay;
}

const config = { SMTP_POOL_SIZE: 3 } as unknown as Config;
const mail = (i: number): OutgoingMail => ({
  from: { name: "CPTS Sud", address: "relances@cpts-demo.fr" },
  to: `adherent${i}@exemple.fr`,
  subject: `Relance n° ${i}`,
  text: `Bonjour ${i},\n.\nvotre cotisation…\n`,
  html: `<p>Bonjour ${i}</p>`,
  messageId: `<m${i}@cpts-demo.fr>`,
});

let relay: Relay | undefined;
let transport: ReturnType<typeof smtpTransport>;
afterEach(async () => {
  transport?.close();
  await relay?.close();
  relay = undefined;
});

describe("pool SMTP (SMTPConnection de nodemailer, messages composés d'avance)", () => {
  it("au plus SMTP_POOL_SIZE connexions, réutilisées ; chaque message arrive entier (point seul doublé puis rendu)", async () => {
    relay = await startRelay();
    transport = smtpTransport(config, { smtpUrl: `smtp://127.0.0.1:${relay.port}` });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => transport!.send(mail(i))));
    expect(answers.every((a) => /^250/.test(a.response))).toBe(true);
    expect(relay.messages).toHaveLength(30);
    expect(relay.peak).toBeLessThanOrEqual(3);
    expect(relay.sessions.size).toBeLessThanOrEqual(3);
    const p = await simpleParser(relay.messages.find((m) => m.to[0] === "adherent7@exemple.fr")!.raw);
    expect(p.text).toBe("Bonjour 7,\n.\nvotre cotisation…\n");
    expect(p.messageId).toBe("<m7@cpts-demo.fr>");
  });

  it("un relais qui ferme les sessions inactives : le message suivant part sur une nouvelle connexion, sans erreur", async () => {
    relay = await startRelay({ idleMs: 300 });
    transport = smtpTransport(config, { smtpUrl: `smtp://127.0.0.1:${relay.port}`, poolSize: 1 });
    await transport!.send(mail(1));
    await new Promise((r) => setTimeout(r, 800)); // the relay closes the idle session (421 timeout)
    await transport!.send(mail(2));
    await transport!.send(mail(3));
    expect(relay.messages.map((m) => m.to[0])).toEqual(["adherent1@exemple.fr", "adherent2@exemple.fr", "adherent3@exemple.fr"]);
    expect(relay.sessions.size).toBe(2);
  });

  it("un destinataire refusé (550 au RCPT TO) : erreur du destinataire, la session continue pour les suivants", async () => {
    relay = await startRelay({ refuse: ["adherent2@exemple.fr"] });
    transport = smtpTransport(config, { smtpUrl: `smtp://127.0.0.1:${relay.port}`, poolSize: 1 });
    await transport!.send(mail(1));
    const err = await transport!.send(mail(2)).then(() => null, (e: unknown) => e);
    expect(classifySmtpError(err)).toMatchObject({ permanent: true, recipientRefused: true });
    await transport!.send(mail(3));
    expect(relay.messages.map((m) => m.to[0])).toEqual(["adherent1@exemple.fr", "adherent3@exemple.fr"]);
    expect(relay.sessions.size).toBe(1);
  });

  it("relais avec authentification : bons identifiants acceptés ; mauvais = problème d'envoi (personne n'est mis en cause)", async () => {
    relay = await startRelay({ auth: { user: "coordo", pass: "s3cret é" } });
    transport = smtpTransport(config, { smtpUrl: `smtp://coordo:${encodeURIComponent("s3cret é")}@127.0.0.1:${relay.port}` });
    await transport!.verify!();
    await transport!.send(mail(1));
    expect(relay.messages).toHaveLength(1);
    transport!.close();
    transport = smtpTransport(config, { smtpUrl: `smtp://coordo:faux@127.0.0.1:${relay.port}` });
    const err = await transport!.send(mail(2)).then(() => null, (e: unknown) => e);
    expect(classifySmtpError(err)).toMatchObject({ senderProblem: true, recipientRefused: false });
    await expect(transport!.verify!()).rejects.toThrow();
    expect(relay.messages).toHaveLength(1);
  });

  it("relais injoignable : problème d'envoi, et le pool ne reste pas bloqué", async () => {
    relay = await startRelay();
    const port = relay.port;
    await relay.close();
    relay = undefined;
    transport = smtpTransport(config, { smtpUrl: `smtp://127.0.0.1:${port}`, poolSize: 1 });
    for (let i = 0; i < 3; i++) {
      const err = await transport!.send(mail(i)).then(() => null, (e: unknown) => e);
      expect(classifySmtpError(err)).toMatchObject({ senderProblem: true });
    }
  });

  it("un relais qui coupe la connexion pendant le RSET qui suit un refus : la place est rendue, le message suivant part", async () => {
    // a minimal SMTP server: RCPT TO refused (550) for « refuse@ », and the socket dropped at the RSET that follows
    const accepted: string[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      let rcpt = "";
      let data = false;
      let body = "";
      socket.write("220 relais ESMTP\r\n");
      socket.on("data", (chunk) => {
        for (const line of chunk.toString("latin1").split("\r\n").filter((l, i, a) => i < a.length - 1 || l)) {
          if (data) {
            if (line === ".") {
              data = false;
              accepted.push(rcpt);
              socket.write("250 2.0.0 accepté\r\n");
            } else body += line;
            continue;
          }
          const cmd = line.slice(0, 4).toUpperCase();
          if (cmd === "EHLO" || cmd === "HELO") socket.write("250-relais\r\n250 8BITMIME\r\n");
          else if (cmd === "MAIL") socket.write("250 2.1.0 ok\r\n");
          else if (cmd === "RCPT") {
            rcpt = /<([^>]*)>/.exec(line)?.[1] ?? "";
            socket.write(rcpt.startsWith("refuse@") ? "550 5.1.1 inconnu\r\n" : "250 2.1.5 ok\r\n");
          } else if (cmd === "DATA") {
            data = true;
            socket.write("354 go\r\n");
          } else if (cmd === "RSET") socket.destroy();
          else if (cmd === "QUIT") socket.end("221 bye\r\n");
          else socket.write("502 non\r\n");
        }
      });
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      transport = smtpTransport(config, { smtpUrl: `smtp://127.0.0.1:${port}`, poolSize: 1 });
      const err = await transport!.send({ ...mail(1), to: "refuse@exemple.fr" }).then(() => null, (e: unknown) => e);
      expect(classifySmtpError(err)).toMatchObject({ permanent: true, recipientRefused: true });
      // before the fix the only slot stayed taken by the dead connection and this send waited forever
      const sent = await Promise.race([transport!.send(mail(2)).then((r) => r.response), new Promise((r) => setTimeout(() => r("bloqué"), 5_000))]);
      expect(sent).toMatch(/^250/);
      expect(accepted).toEqual(["adherent2@exemple.fr"]);
    } finally {
      transport?.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("un message et son point final partent en une seule écriture ; un gros message (300 Ko) part entier et ne bloque pas la connexion", async () => {
    // A minimal SMTP server in ANOTHER process (in this one it would read only after both writes anyway): for each
    // message, the number of chunks received after its 354, on stdout as a JSON line, then its body.
    const script = `
      const messages = [];
      const server = require("node:net").createServer((socket) => {
        let data = null;
        socket.write("220 relais ESMTP\\r\\n");
        socket.on("data", (chunk) => {
          const text = chunk.toString("latin1");
          if (data) {
            data.chunks++;
            data.body += text;
            if (data.body.endsWith("\\r\\n.\\r\\n")) {
              process.stdout.write(JSON.stringify(data) + "\\n");
              data = null;
              socket.write("250 2.0.0 accepté\\r\\n");
            }
            return;
          }
          for (const line of text.split("\\r\\n").filter(Boolean)) {
            const cmd = line.slice(0, 4).toUpperCase();
            if (cmd === "EHLO" || cmd === "HELO") socket.write("250-relais\\r\\n250 8BITMIME\\r\\n");
            else if (cmd === "MAIL" || cmd === "RCPT") socket.write("250 ok\\r\\n");
            else if (cmd === "DATA") { data = { chunks: 0, body: "" }; socket.write("354 go\\r\\n"); }
            else if (cmd === "QUIT") socket.end("221 bye\\r\\n");
            else socket.write("502 non\\r\\n");
          }
        });
        socket.on("error", () => {});
      });
      server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\\n"));
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const lines: Record<string, unknown>[] = [];
    let waiting: (() => void) | undefined;
    let rest = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      const parts = (rest + d).split("\n");
      rest = parts.pop()!;
      for (const l of parts) lines.push(JSON.parse(l) as Record<string, unknown>);
      waiting?.();
    });
    // what the server got, end-of-data dot removed and dot-stuffing undone
    const unstuffed = (body: string) => body.slice(0, -5).replace(/(^|\r\n)\.\./g, "$1.");
    const line = async (n: number) => {
      while (lines.length < n) await new Promise<void>((r) => (waiting = r));
      return lines[n - 1]!;
    };
    try {
      const { port } = (await line(1)) as { port: number };
      transport = smtpTransport(config, { smtpUrl: `smtp://127.0.0.1:${port}`, poolSize: 1 });
      const big = "Ligne de la lettre d'information, assez longue pour remplir la page.\n".repeat(4500); // ≈ 300 KB
      await transport!.send(mail(1));
      await transport!.send({ ...mail(2), text: big });
      await transport!.send(mail(3));
      const [m1, m2, m3] = (await Promise.all([line(2), line(3), line(4)])) as { chunks: number; body: string }[];
      // the small ones: the message and its end-of-data dot in one write, so in one chunk at the server
      expect(m1!.chunks).toBe(1);
      expect(m3!.chunks).toBe(1);
      expect((await simpleParser(unstuffed(m1!.body))).text).toBe("Bonjour 1,\n.\nvotre cotisation…\n");
      // the big one: not corked (a corked socket never drains), whole
      expect(m2!.chunks).toBeGreaterThan(1);
      expect((await simpleParser(unstuffed(m2!.body))).text).toBe(big);
    } finally {
      transport?.close();
      child.kill();
    }
  });
});
