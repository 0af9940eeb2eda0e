/**
 * What an `Action.Execute` button carries, and the check an incoming action goes through. The
 * data comes back from the Teams client, so it is untrusted input: it is parsed with a schema,
 * and it never decides whose data is read (the invoker's identity does; `owner` only lets the bot
 * refuse buttons pressed on someone else's card in a group chat).
 */
import { z } from 'zod';

/** Which card a button shows or re-renders, with its page position. */
export type CardView =
  | { readonly card: 'overdue-tasks'; readonly offset: number }
  | {
      readonly card: 'my-tasks';
      readonly range: 'today' | 'this-week' | 'all';
      readonly offset: number;
    }
  | { readonly card: 'overdue-invoices'; readonly clientId: string | null; readonly offset: number }
  | { readonly card: 'summary'; readonly offset: number }
  | { readonly card: 'clients'; readonly offset: number };

export type CardActionData =
  /** Show a card (again): "Show more", "Back to start", "Refresh card". */
  | { readonly verb: 'show'; readonly owner: string; readonly view: CardView }
  | {
      readonly verb: 'complete-task';
      readonly owner: string;
      readonly view: CardView;
      readonly clientId: string;
      readonly companyId: string;
      readonly taskId: number;
    }
  /** Fetch fresh numbers from BC, then show `view`. */
  | {
      readonly verb: 'refresh';
      readonly owner: string;
      readonly view: CardView;
      readonly clientId: string | null;
    };

export type CardVerb = CardActionData['verb'];

const offset = z.number().int().min(0).max(100_000);
const id = z.string().min(1).max(200);

const viewSchema = z.discriminatedUnion('card', [
  z.object({ card: z.literal('overdue-tasks'), offset }),
  z.object({ card: z.literal('my-tasks'), range: z.enum(['today', 'this-week', 'all']), offset }),
  z.object({ card: z.literal('overdue-invoices'), clientId: id.nullable(), offset }),
  z.object({ card: z.literal('summary'), offset }),
  z.object({ card: z.literal('clients'), offset }),
]);

const actionSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('show'), owner: id, view: viewSchema }),
  z.object({
    verb: z.literal('complete-task'),
    owner: id,
    view: viewSchema,
    clientId: id,
    companyId: id,
    taskId: z.number().int().min(0).max(2_147_483_647),
  }),
  z.object({ verb: z.literal('refresh'), owner: id, view: viewSchema, clientId: id.nullable() }),
]);

/**
 * Parses an `adaptiveCard/action` invoke's `verb` and `data` into a {@link CardActionData}, or
 * null when it is not one of ours (an old card, a hand-made payload).
 */
export function parseCardAction(verb: unknown, data: unknown): CardActionData | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const parsed = actionSchema.safeParse({ ...data, verb });
  return parsed.success ? parsed.data : null;
}
