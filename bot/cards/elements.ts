/**
 * Adaptive Card building blocks: plain JSON objects of schema 1.5, the newest version Teams
 * renders in bot messages. Builders elsewhere compose these; nothing here knows about the hub.
 */
import { formatMoney, moneyToDecimal, type Money } from '../../src/domain/money.js';
import type { CardActionData } from './actions.js';

/** The card version Teams renders for bots; newer versions fall back to an error in the client. */
export const CARD_VERSION = '1.5';

/**
 * The most a card's JSON may weigh. Teams' documented message limit is 40 KB on older pages and
 * 100 KB on newer ones; some clients fail well below that, so cards stay under about 24 KB and
 * the whole activity under 28 KB. Long lists page with "Show more" instead.
 */
export const CARD_BYTE_BUDGET = 24_000;

export type CardElement = { readonly type: string } & Readonly<Record<string, unknown>>;
export type CardAction = { readonly type: string; readonly title: string } & Readonly<
  Record<string, unknown>
>;

export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly $schema: string;
  readonly version: string;
  readonly body: readonly CardElement[];
  readonly actions?: readonly CardAction[];
  readonly msteams?: { readonly width: 'Full' };
}

export function card(
  body: readonly CardElement[],
  actions: readonly CardAction[] = [],
): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

/** Size of the card as sent, in UTF-8 bytes. */
export function cardBytes(c: AdaptiveCard): number {
  return new TextEncoder().encode(JSON.stringify(c)).length;
}

export interface TextOptions {
  readonly size?: 'small' | 'default' | 'medium' | 'large';
  readonly weight?: 'bolder' | 'lighter';
  readonly color?: 'default' | 'accent' | 'good' | 'warning' | 'attention';
  readonly subtle?: boolean;
  readonly wrap?: boolean;
  readonly spacing?: 'none' | 'small' | 'medium' | 'large';
  readonly separator?: boolean;
}

/** A TextBlock for the bot's own words (Markdown allowed). Data goes through {@link dataText}. */
export function text(value: string, options: TextOptions = {}): CardElement {
  const { wrap, ...rest } = options;
  return { type: 'TextBlock', text: value, wrap: wrap ?? true, ...rest };
}

export function heading(value: string): CardElement {
  return text(value, { size: 'medium', weight: 'bolder' });
}

/** A piece of a {@link dataText} line; strings are plain runs. */
export type Run =
  | string
  | {
      readonly text: string;
      readonly weight?: 'bolder' | 'lighter';
      readonly color?: TextOptions['color'];
      readonly subtle?: boolean;
      readonly size?: TextOptions['size'];
    };

/** Longest piece of data shown in one run: a 2,000-character task title must not eat the card. */
const MAX_RUN = 300;

/**
 * A line made of TextRuns. TextRuns are never read as Markdown, so a client named `*Acme*` or a
 * task titled `[pay here](http://…)` by someone in a client's BC is shown exactly as typed and
 * never turns into formatting or a link.
 */
export function dataText(
  runs: readonly Run[],
  options: { spacing?: TextOptions['spacing']; separator?: boolean } = {},
): CardElement {
  return {
    type: 'RichTextBlock',
    inlines: runs
      .map((r) => (typeof r === 'string' ? { text: r } : r))
      .filter((r) => r.text !== '')
      .map((r) => ({ type: 'TextRun', ...r, text: clip(r.text.replace(/\s+/g, ' ')) })),
    ...options,
  };
}

function clip(value: string): string {
  return value.length > MAX_RUN ? `${value.slice(0, MAX_RUN - 1)}…` : value;
}

export function facts(pairs: readonly (readonly [string, string])[]): CardElement {
  return { type: 'FactSet', facts: pairs.map(([title, value]) => ({ title, value })) };
}

export function container(
  items: readonly CardElement[],
  options: {
    style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
    separator?: boolean;
    spacing?: 'none' | 'small' | 'medium' | 'large';
  } = {},
): CardElement {
  return { type: 'Container', items, ...options };
}

export function columns(
  cols: readonly { items: readonly CardElement[]; width?: 'auto' | 'stretch' | string }[],
  options: { separator?: boolean; spacing?: 'none' | 'small' | 'medium' | 'large' } = {},
): CardElement {
  return {
    type: 'ColumnSet',
    columns: cols.map((c) => ({ type: 'Column', width: c.width ?? 'stretch', items: c.items })),
    ...options,
  };
}

export function actionSet(actions: readonly CardAction[]): CardElement {
  return { type: 'ActionSet', actions };
}

/** Opens a page in the browser (deep links into the client's BC web client). */
export function openUrl(title: string, url: string): CardAction {
  return { type: 'Action.OpenUrl', title, url };
}

/**
 * A Universal Action: Teams sends it to the bot as an `adaptiveCard/action` invoke and replaces
 * the card with the one the bot answers.
 */
export function execute(
  title: string,
  data: CardActionData,
  style?: 'positive' | 'destructive',
): CardAction {
  const { verb, ...rest } = data;
  return { type: 'Action.Execute', title, verb, data: rest, ...(style ? { style } : {}) };
}

/** Sends `command` as if the user typed it (Teams `imBack`), for "did you mean" buttons. */
export function sendText(title: string, command: string): CardAction {
  return { type: 'Action.Submit', title, data: { msteams: { type: 'imBack', value: command } } };
}

// Building an Intl formatter costs far more than using one; cards format hundreds of values.
const dayFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

/** `12 Mar 2026` for an ISO date or date-time, read as a UTC calendar day like BC's dates. */
export function formatDay(iso: string): string {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dayFormat.format(d);
}

/**
 * `€1,234.56`: the domain's {@link formatMoney} with the formatter kept per currency. An unknown
 * currency code falls back to the domain's `XYZ 1234.56` form.
 */
export function formatAmount(m: Money): string {
  let f = moneyFormats.get(m.currency);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency });
    } catch {
      f = null;
    }
    moneyFormats.set(m.currency, f);
  }
  return f === null ? formatMoney(m) : f.format(moneyToDecimal(m));
}

/** "3 min ago", "5 h ago", "2 days ago": how old a refresh is, relative to `now`. */
export function formatAge(iso: string | null, now: Date): string {
  if (iso === null) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const minutes = Math.max(0, Math.round((now.getTime() - t) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The largest prefix of `items` (at most `max`) whose card fits the byte budget. Each builder
 * renders a page with this so a page never breaks Teams' size limit, however long the names.
 */
export function fitPage<T>(
  items: readonly T[],
  max: number,
  render: (page: readonly T[]) => AdaptiveCard,
  budget: number = CARD_BYTE_BUDGET,
): { card: AdaptiveCard; shown: number } {
  let count = Math.min(max, items.length);
  for (;;) {
    const built = render(items.slice(0, count));
    if (count <= 1 || cardBytes(built) <= budget) return { card: built, shown: count };
    count = Math.max(1, Math.floor(count * 0.7));
  }
}
