// A real IMAP server for the bounce-mailbox tests: a private Dovecot (Debian's dovecot-imapd) on 127.0.0.1,
// its own config file, one passwd-file user, a Maildir in a temporary directory. Nothing system-wide is read
// or written. Absent locally → `dovecotMissing` says why (the tests skip); CI installs it (.ci/run).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chownSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";

const DOVECOT = "/usr/sbin/dovecot";

export const dovecotMissing: string | undefined = existsSync(DOVECOT) && existsSync("/usr/lib/dovecot/imap")
  ? undefined
  : "dovecot-imapd absent (apt-get install dovecot-imapd) : test de la boîte de rebonds IMAP sauté";

export interface TestImap {
  port: number;
  user: string;
  password: string;
  /** imap://user:password@127.0.0.1:port/INBOX — the form BOUNCE_IMAP_URL takes. */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForGreeting(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, "127.0.0.1");
      sock.once("data", (d) => (sock.destroy(), resolve(d.toString().startsWith("* OK"))));
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`dovecot ne répond pas sur 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startTestImap(): Promise<TestImap> {
  if (dovecotMissing) throw new Error(dovecotMissing);
  const dir = mkdtempSync(join(tmpdir(), "coordo-imap-"));
  const port = await freePort();
  const user = "rebonds";
  const password = "mot-de-passe-test";
  const me = userInfo();
  // Dovecot refuses to give mail access to root: as root the mail user is Debian's "dovecot" account.
  const root = me.uid === 0;
  const mailUid = root ? Number(spawnSync("id", ["-u", "dovecot"]).stdout.toString().trim()) : me.uid;
  const mailGid = root ? Number(spawnSync("id", ["-g", "dovecot"]).stdout.toString().trim()) : me.gid;
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  if (root) {
    // the auth and mail processes run as "dovecot": they must traverse the directory and own the mail home
    chmodSync(dir, 0o711);
    chownSync(home, mailUid, mailGid);
  }
  writeFileSync(join(dir, "passwd"), `${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${home}::\n`);
  const conf = join(dir, "dovecot.conf");
  writeFileSync(
    conf,
    [
      `base_dir = ${join(dir, "run")}`,
      `state_dir = ${join(dir, "state")}`,
      `log_path = ${join(dir, "dovecot.log")}`,
      `protocols = imap`,
      `listen = 127.0.0.1`,
      `ssl = no`,
      `disable_plaintext_auth = no`,
      `auth_mechanisms = plain login`,
      `mail_location = maildir:~/Maildir`,
      `first_valid_uid = ${Math.min(mailUid, 1)}`,
      `default_internal_user = ${root ? "dovecot" : me.username}`,
      `default_login_user = ${root ? "dovenull" : me.username}`,
      `default_internal_group = ${root ? "dovecot" : spawnSync("id", ["-gn"]).stdout.toString().trim()}`,
      `passdb {\n  driver = passwd-file\n  args = ${join(dir, "passwd")}\n}`,
      `userdb {\n  driver = passwd-file\n  args = ${join(dir, "passwd")}\n}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      `service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}`,
      `service stats {\n  unix_listener stats-reader {\n    mode = 0600\n  }\n  unix_listener stats-writer {\n    mode = 0660\n  }\n}`,
      `mail_privileged_group =`,
      ``,
    ].join("\n"),
  );
  const child = spawn(DOVECOT, ["-F", "-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  try {
    await Promise.race([
      waitForGreeting(port, 10_000),
      new Promise<never>((_r, reject) => child.once("exit", (code) => reject(new Error(`dovecot s'est arrêté (code ${code}) : ${output}`)))),
    ]);
  } catch (e) {
    child.kill("SIGKILL");
    const log = existsSync(join(dir, "dovecot.log")) ? readFileSync(join(dir, "dovecot.log"), "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return {
    port,
    user,
    password,
    url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
