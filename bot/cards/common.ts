/**
 * Pieces several cards share: whose data a card shows, the notice line at the top, and the
 * "Show more" / "Back to start" / "Refresh" row at the bottom.
 */
import type { CardView } from './actions.js';
import {
  container,
  dataText,
  execute,
  text,
  type CardAction,
  type CardElement,
} from './elements.js';

/** Whose data a card shows. In a group chat the card says so, because others can read it. */
export interface CardOwner {
  readonly accountantId: string;
  readonly displayName: string;
  /** True outside a personal chat: the title names the owner. */
  readonly shared: boolean;
}

/** A one-line message above a card's content ("Marked … complete", "Refresh failed: …"). */
export interface CardNotice {
  readonly tone: 'good' | 'warning' | 'attention';
  readonly text: string;
}

/** The card's title; in a shared chat it names whose clients it shows. */
export function titleBlock(title: string, owner: CardOwner, subtitle?: string): CardElement[] {
  const out: CardElement[] = [
    owner.shared
      ? dataText([{ text: `${title} for ${owner.displayName}`, size: 'medium', weight: 'bolder' }])
      : text(title, { size: 'medium', weight: 'bolder' }),
  ];
  if (owner.shared) {
    out.push(
      text(`Only ${owner.displayName}'s clients are shown. Others can ask me for their own.`, {
        size: 'small',
        subtle: true,
        spacing: 'none',
      }),
    );
  }
  if (subtitle !== undefined)
    out.push(text(subtitle, { subtle: true, size: 'small', spacing: 'none' }));
  return out;
}

export function noticeBlock(notice: CardNotice | undefined): CardElement[] {
  if (notice === undefined) return [];
  const style =
    notice.tone === 'good' ? 'good' : notice.tone === 'warning' ? 'warning' : 'attention';
  return [container([dataText([notice.text])], { style })];
}

/** Paging and refresh buttons for a list card showing items `offset … offset + shown`. */
export function pagingActions(
  owner: CardOwner,
  view: CardView,
  total: number,
  shown: number,
  options: { refreshClientId?: string | null } = {},
): CardAction[] {
  const actions: CardAction[] = [];
  const next = view.offset + shown;
  if (next < total) {
    actions.push(
      execute(`Show more (${total - next} left)`, {
        verb: 'show',
        owner: owner.accountantId,
        view: { ...view, offset: next },
      }),
    );
  }
  if (view.offset > 0) {
    actions.push(
      execute('Back to start', {
        verb: 'show',
        owner: owner.accountantId,
        view: { ...view, offset: 0 },
      }),
    );
  }
  actions.push(
    execute('Refresh', {
      verb: 'refresh',
      owner: owner.accountantId,
      view: { ...view, offset: 0 },
      clientId: options.refreshClientId ?? null,
    }),
  );
  return actions;
}

/** "Showing 11–20 of 45." */
export function rangeLine(offset: number, shown: number, total: number): CardElement[] {
  if (total <= shown && offset === 0) return [];
  return [
    text(`Showing ${offset + 1}–${offset + shown} of ${total}.`, { size: 'small', subtle: true }),
  ];
}

/** The offset to render: past the end (after the last item went away) goes back to the start. */
export function clampOffset(offset: number, total: number): number {
  return offset >= total ? 0 : Math.max(0, offset);
}

/** `Client — Company`, or just the client when the company carries the same name. */
export function placeName(clientName: string, companyName: string): string {
  return clientName.trim().toLowerCase() === companyName.trim().toLowerCase()
    ? clientName
    : `${clientName} — ${companyName}`;
}
