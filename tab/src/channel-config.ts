/**
 * What the channel (or group chat) tab saves when it is set up: the address Teams loads and the
 * names it shows. Kept pure so it is tested without Teams.
 */
import { isGuid } from './sso.js';

/** What the channel tab shows: every client of the viewer, or one client. */
export type ChannelTabChoice =
  { readonly kind: 'all' } | { readonly kind: 'client'; readonly clientId: string };

/** The settings `pages.config.setConfig` receives. */
export interface ChannelTabConfig {
  readonly contentUrl: string;
  readonly websiteUrl: string;
  readonly entityId: string;
  readonly suggestedDisplayName: string;
}

/** The tab's name in the channel's tab bar. */
export const channelTabDisplayName = 'Accountant Hub';

/**
 * The saved tab settings for `choice`, on `origin` (the tab's own origin, from which Teams loaded
 * the set-up page). `appClientId` is carried along when the set-up page knows it, so the channel
 * tab can open the sign-in pop-up with it.
 */
export function channelTabConfig(
  origin: string,
  choice: ChannelTabChoice,
  appClientId: string | null = null,
): ChannelTabConfig {
  const url = new URL('/', origin);
  url.searchParams.set('view', 'dashboard');
  url.searchParams.set('channel', '1');
  if (choice.kind === 'client') url.searchParams.set('clientId', choice.clientId);
  if (isGuid(appClientId)) url.searchParams.set('appClientId', appClientId);
  const contentUrl = url.toString();
  return {
    contentUrl,
    websiteUrl: contentUrl,
    entityId: choice.kind === 'client' ? `dashboard-${choice.clientId}` : 'dashboard',
    suggestedDisplayName: channelTabDisplayName,
  };
}
