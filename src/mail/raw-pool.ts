// Sends mails already composed (prepare.ts) over a few SMTP connections kept open: nodemailer's own
// SMTPConnection, driven directly. The pooled transport would wrap each prepared message in its whole
// composition pipeline again (message object, plugins, MIME node, several streams); the bytes it sends would
// be the same. What the pool did per connection is kept: a refused message (5xx envelope or content) resets
// the session and keeps the connection; any other error closes it; a reused connection found closed by the
// server before the message went out is reopened once for that message.
import SMTPConnection, { type SMTPConnectionOptions } from "nodemailer/lib/smtp-connection";
import type { PreparedMail } from "./prepare.ts";

type SmtpError = Error & { code?: string; responseCode?: number; command?: string };

interface Slot {
  conn: SMTPConnection | undefined;
  messages: number;
}

const call = <T>(fn: (cb: (err: Error | null, v?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));

/** The server closed an idle connection before this message started (nothing of it was accepted). */
const closedBeforeMessage = (e: SmtpError) =>
  (e.responseCode === 421 || e.code === "ECONNECTION" || e.code === "ESOCKET" || e.code === "ETIMEDOUT") && (!e.command || e.command === "CONN" || e.command === "MAIL FROM" || e.command === "API");

export class RawSmtpPool {
  private readonly free: Slot[];
  private readonly waiting: ((s: Slot) => void)[] = [];
  private readonly all: Slot[];
  private closed = false;

  constructor(
    private readonly options: SMTPConnectionOptions,
    private readonly auth: { user: string; pass: string } | undefined,
    size: number,
  ) {
    this.all = Array.from({ length: Math.max(1, size) }, () => ({ conn: undefined, messages: 0 }));
    this.free = [...this.all];
  }

  async send(mail: PreparedMail): Promise<{ response: string }> {
    const slot = await this.acquire();
    try {
      return await this.sendOn(slot, mail, true);
    } finally {
      this.release(slot);
    }
  }

  close(): void {
    this.closed = true;
    for (const s of this.all) this.drop(s, true);
  }

  private acquire(): Promise<Slot> {
    const s = this.free.pop();
    return s ? Promise.resolve(s) : new Promise((r) => this.waiting.push(r));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  private drop(slot: Slot, quit = false): void {
    const c = slot.conn;
    slot.conn = undefined;
    if (!c) return;
    if (quit) c.quit();
    c.close();
  }

  private async connection(slot: Slot): Promise<SMTPConnection> {
    if (slot.conn) return slot.conn;
    if (this.closed) throw Object.assign(new Error("transport SMTP fermé"), { code: "ECONNECTION" });
    const c = new SMTPConnection(this.options);
    // errors reach the callbacks; a connection that fails or ends between messages is reopened at the next one
    c.on("error", () => slot.conn === c && (slot.conn = undefined));
    c.once("end", () => slot.conn === c && (slot.conn = undefined));
    // until the session is ready, a failure may come as an 'error' or 'end' event instead of the callback
    let opening: ((e: Error) => void) | undefined;
    const failed = new Promise<never>((_, reject) => (opening = reject));
    failed.catch(() => {});
    const onError = (e: Error) => opening?.(e);
    const onEnd = () => opening?.(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION", command: "CONN" }));
    c.on("error", onError);
    c.on("end", onEnd);
    try {
      await Promise.race([failed, call<unknown>((cb) => c.connect(cb as () => void))]);
      if (this.auth) await Promise.race([failed, call<unknown>((cb) => c.login(this.auth, cb))]);
    } catch (e) {
      c.close();
      throw e;
    } finally {
      opening = undefined;
      c.off("error", onError);
      c.off("end", onEnd);
    }
    slot.conn = c;
    slot.messages = 0;
    return c;
  }

  private async sendOn(slot: Slot, mail: PreparedMail, mayReopen: boolean): Promise<{ response: string }> {
    const c = await this.connection(slot);
    const reused = slot.messages > 0;
    try {
      const info = await call<{ response?: string }>((cb) => c.send({ from: mail.envelope.from || "", to: mail.envelope.to }, mail.raw, cb as never));
      slot.messages++;
      return { response: String(info.response ?? "") };
    } catch (err) {
      slot.messages++;
      const e = err as SmtpError;
      if (reused && mayReopen && closedBeforeMessage(e)) {
        this.drop(slot);
        return this.sendOn(slot, mail, false);
      }
      if ((e.code === "EENVELOPE" || e.code === "EMESSAGE") && e.responseCode !== 421 && slot.conn === c) {
        // the server refused this message; the connection itself is fine
        await call<unknown>((cb) => c.reset(cb)).catch(() => this.drop(slot));
      } else {
        this.drop(slot);
      }
      throw err;
    }
  }
}
