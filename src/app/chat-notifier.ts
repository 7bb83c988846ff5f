// The chat notifier port lives beside the outbox sender that uses it (src/mail/ports.ts); re-exported here
// for the adapters and services above.
export {
  ChatRateLimited,
  chatNotifierFor,
  chatRecipient,
  consoleChatNotifier,
  parseChatRecipient,
  registerChatNotifier,
  type ChatChannelRef,
  type ChatNotifier,
} from "../mail/ports.ts";
