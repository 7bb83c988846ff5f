// The console "platform": a trusted local operator picks the CPTS and speaks as a member (by
// e-mail). Used by `coordo chat`, the interactive console of `coordo start`, tests and demos.
import type { AppContext } from "../../app/context.ts";
import { UserError } from "../../app/errors.ts";
import { Dispatcher } from "../../app/dispatcher.ts";
import { ChatRepository, type WorkspaceRow } from "../../db/repos/chat-repo.ts";
import { MemberRepository } from "../../db/repos/member-repo.ts";
import type { Reply } from "../../../commands/types.ts";

export interface ConsoleSession {
  workspace: WorkspaceRow;
  userId: string;
}

export class ConsoleChat {
  readonly dispatcher: Dispatcher;
  private readonly chat: ChatRepository;
  private clicks = 0;

  /** Receives the progress messages of long actions (the interactive console prints them). */
  onProgress?: (text: string) => void;

  constructor(readonly app: AppContext) {
    this.dispatcher = new Dispatcher(app);
    this.chat = new ChatRepository(app.db);
  }

  /** Opens a session as `email` in the CPTS `slug`; a known member's e-mail is linked directly (local trust). */
  async session(slug: string, email: string): Promise<ConsoleSession> {
    const cpts = await this.app.db.cpts.findUnique({ where: { slug }, select: { id: true, slug: true } });
    if (!cpts) throw new UserError(`CPTS « ${slug} » introuvable : vérifiez --cpts (par exemple demo).`);
    const workspace = await this.chat.consoleWorkspace(cpts.id, cpts.slug);
    const userId = email.trim().toLowerCase();
    const identity = await this.chat.identity(workspace.id, userId, userId);
    if (!identity.memberId) {
      const member = await new MemberRepository(this.app.db).findByEmail(cpts.id, userId);
      if (member) await this.chat.linkIdentity(identity.id, member.id);
    }
    return { workspace, userId };
  }

  private progressSink(): ((text: string) => Promise<void>) | undefined {
    const sink = this.onProgress;
    return sink ? async (text) => sink(text) : undefined;
  }

  /** Runs a command line such as `/cotisation annee=2025`. */
  async command(s: ConsoleSession, line: string): Promise<Reply> {
    const m = /^\s*\/?(\S+)\s*([\s\S]*)$/.exec(line);
    if (!m) throw new UserError("Tapez une commande, par exemple /aide.");
    // the command line is the console's form: a refused field keeps what was typed (« Corriger »)
    const r = await this.dispatcher.dispatch({
      type: "command", platform: "CONSOLE", workspaceExternalId: s.workspace.externalId, userId: s.userId, channelId: "console", command: m[1]!, text: m[2], progress: this.progressSink(), form: true,
    });
    return r.reply;
  }

  /**
   * Presses a button by label (exact, else prefix, case-insensitive) or number. With several
   * replies (latest last), the latest one holding a matching button wins: a menu stays usable.
   */
  async click(s: ConsoleSession, replies: Reply | Reply[], label: string): Promise<Reply> {
    const history = (Array.isArray(replies) ? replies : [replies]).slice().reverse();
    const wanted = label.trim().toLowerCase();
    const find = (buttons: NonNullable<Reply["buttons"]>) =>
      (/^\d+$/.test(wanted) ? buttons[Number(wanted) - 1] : undefined) ??
      buttons.find((b) => b.label.toLowerCase() === wanted) ??
      buttons.find((b) => b.label.toLowerCase().startsWith(wanted));
    const buttons = history[0]?.buttons ?? [];
    const button = /^\d+$/.test(wanted) ? find(buttons) : history.map((r) => find(r.buttons ?? [])).find(Boolean);
    if (!button) {
      throw new UserError(buttons.length ? `Aucun bouton « ${label} ». Boutons : ${buttons.map((b) => `« ${b.label} »`).join(", ")}.` : `Aucun bouton à presser (« ${label} »).`);
    }
    const r = await this.dispatcher.dispatch({
      type: "action", platform: "CONSOLE", workspaceExternalId: s.workspace.externalId, userId: s.userId, channelId: "console",
      buttonId: button.id, deliveryId: `click:${button.id}:${Date.now()}:${++this.clicks}`, progress: this.progressSink(),
    });
    return r.reply;
  }
}
