/**
 * The bot's own view of a conversation turn, free of botbuilder types. `bot-framework.ts`
 * translates botbuilder's TurnContext into these, so the handler, the cards and the daily summary
 * would survive a move to the Microsoft 365 Agents SDK unchanged.
 */
import type { AdaptiveCard } from './cards/elements.js';

export type ConversationKind = 'personal' | 'groupChat' | 'channel';

export interface TurnUser {
  /** The channel's user id (`29:…` in Teams). */
  readonly id: string;
  /** The Microsoft Entra object id, when the channel gives one (Teams always does). */
  readonly aadObjectId: string | null;
  readonly name: string;
}

export interface TurnInfo {
  readonly user: TurnUser;
  /** The user's Entra tenant id, from the conversation or Teams channel data. */
  readonly tenantId: string | null;
  readonly conversation: { readonly id: string; readonly kind: ConversationKind };
  /** The message text as sent (mention markup included); empty for non-messages. */
  readonly text: string;
  /** True when the bot was @mentioned in the message. */
  readonly mentionsBot: boolean;
  /** A serialisable conversation reference, stored for proactive messages. */
  readonly reference: Readonly<Record<string, unknown>>;
}

/** A message the bot sends: a card, a line of text, or both. */
export interface OutboundMessage {
  readonly card?: AdaptiveCard;
  readonly text?: string;
  /** The notification preview (what a phone shows for a card). */
  readonly summary?: string;
}

export interface Turn extends TurnInfo {
  reply(message: OutboundMessage): Promise<void>;
  /** Shows "typing…" while a slow answer is prepared. */
  typing(): Promise<void>;
}

/** What an `Action.Execute` press is answered with. */
export type CardActionOutcome =
  /** Replace the card in place. */
  | { readonly kind: 'card'; readonly card: AdaptiveCard }
  /** Leave the card, show a short message (Teams shows it as a toast). */
  | { readonly kind: 'message'; readonly text: string }
  | {
      readonly kind: 'error';
      readonly status: 400 | 401 | 403 | 404 | 500;
      readonly code: string;
      readonly message: string;
    };

/** The bot's behaviour, called by the framework module for each kind of activity. */
export interface BotLogic {
  onMessage(turn: Turn): Promise<void>;
  /** The bot was installed in, or added to, this conversation. */
  onInstalled(turn: Turn): Promise<void>;
  /** The bot was uninstalled, or removed from this conversation. */
  onUninstalled(turn: Turn): Promise<void>;
  /** Another conversation update (team renamed, restored, members changed). */
  onConversationChanged(turn: Turn): Promise<void>;
  /** An `adaptiveCard/action` invoke; `verb` and `data` are untrusted. */
  onCardAction(turn: Turn, verb: unknown, data: unknown): Promise<CardActionOutcome>;
}
