// A real SMTP server on 127.0.0.1 (port 0) for the delivery tests: records every message with its
// headers; recipients can be made to fail (550 always, 421 the first time).
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  to: string[];
  headers: Record<string, string>;
  raw: string;
}

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Recipient → distinct Message-IDs received. */
  byRecipient(): Map<string, Set<string>>;
  refuse: Set<string>;
  tempFailOnce: Set<string>;
  /** Connection errors seen by the server (a client killed mid-session resets its socket). */
  connectionErrors: string[];
  /** Called with each message as it is received, before the server answers (a test looks at the sender's state then). */
  onMessage?: (mail: ReceivedMail) => void;
  close(): Promise<void>;
}

function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const out: Record<string, string> = {};
  let last = "";
  for (const line of head.split(/\r?\n/)) {
    if (/^\s/.test(line) && last) out[last] = (out[last] + line).trim();
    else {
      const i = line.indexOf(":");
      if (i > 0) {
        last = line.slice(0, i).toLowerCase();
        out[last] = line.slice(i + 1).trim();
      }
    }
  }
  for (const k of Object.keys(out)) out[k] = decodeWords(out[k]!);
  return out;
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) → text. */
function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : Buffer.from(data.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8"),
    );
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const tempFailOnce = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, cb) {
      const a = address.address.toLowerCase();
      if (refuse.has(a)) return cb(Object.assign(new Error("5.1.1 Adresse inconnue"), { responseCode: 550 }));
      if (tempFailOnce.delete(a)) return cb(Object.assign(new Error("4.7.0 Service indisponible, réessayez plus tard"), { responseCode: 421 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const mail = { to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), headers: parseHeaders(raw), raw };
        received.push(mail);
        api.onMessage?.(mail);
        cb();
      });
    },
  });
  // A client SIGKILLed mid-session resets its socket: smtp-server re-emits that on the server, and an
  // 'error' event without a listener would crash the test process.
  const connectionErrors: string[] = [];
  server.on("error", (err: NodeJS.ErrnoException) => {
    connectionErrors.push(err.code ?? err.message);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.server.address() as AddressInfo).port;
  const api: TestSmtp = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse,
    tempFailOnce,
    connectionErrors,
    byRecipient() {
      const m = new Map<string, Set<string>>();
      for (const r of received) for (const to of r.to) (m.get(to) ?? m.set(to, new Set()).get(to)!).add(r.headers["message-id"] ?? "");
      return m;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return api;
}
