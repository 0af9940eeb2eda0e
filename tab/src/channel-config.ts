/**
 * What the channel (or group chat) tab saves when it is set up, the address Teams loads and the
 * names it shows, and how the tab reads that address back. Kept pure so it is tested without
 * Teams.
 *
 * Client ids are per accountant: the id in a one-client tab is the id in the list of the
 * colleague who added it, and means nothing in anybody else's. So the address also carries the
 * client's Business Central tenant and environment, which are the same for everyone who keeps
 * that client's books, and the client's name, to say which client a viewer is missing.
 */
import { isGuid } from './sso.js';

/** The Business Central environment a client's Client URL names (lowercase, as the server stores it). */
export interface ChannelClientTarget {
  readonly tenant: string;
  readonly environment: string;
}

/** What the channel tab shows: every client of the viewer, or one client. */
export type ChannelTabChoice =
  | { readonly kind: 'all' }
  | {
      readonly kind: 'client';
      readonly clientId: string;
      /** Shown to viewers who do not have the client. */
      readonly clientName?: string;
      /** Lets a colleague's own copy of the client match. */
      readonly target?: ChannelClientTarget;
    };

/** The settings `pages.config.setConfig` receives. */
export interface ChannelTabConfig {
  readonly contentUrl: string;
  readonly websiteUrl: string;
  readonly entityId: string;
  readonly suggestedDisplayName: string;
}

/** The tab's name in the channel's tab bar. */
export const channelTabDisplayName = 'Accountant Hub';

/** The longest client name the address carries (the same limit as the client form's). */
export const maxChannelClientNameLength = 100;

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
  if (choice.kind === 'client') {
    url.searchParams.set('clientId', choice.clientId);
    const name = cleanClientName(choice.clientName ?? null);
    if (name) url.searchParams.set('clientName', name);
    if (choice.target && isTarget(choice.target)) {
      url.searchParams.set('bcTenant', choice.target.tenant.toLowerCase());
      url.searchParams.set('bcEnvironment', choice.target.environment.toLowerCase());
    }
  }
  if (isGuid(appClientId)) url.searchParams.set('appClientId', appClientId);
  const contentUrl = url.toString();
  return {
    contentUrl,
    websiteUrl: contentUrl,
    entityId: choice.kind === 'client' ? `dashboard-${choice.clientId}` : 'dashboard',
    suggestedDisplayName: channelTabDisplayName,
  };
}

/** The client a one-client channel tab was set up for, as far as its address can be trusted. */
export interface ChannelClientRef {
  /** A well-formed id; whether it is the viewer's is for the server to say. */
  readonly clientId: string;
  /** Cleaned for display, or null when the address carries none. */
  readonly clientName: string | null;
  readonly target: ChannelClientTarget | null;
}

/**
 * Where the tab is: a personal tab (or a plain browser), a channel tab over all the viewer's
 * clients, a channel tab limited to one client, or a channel tab whose address names a client
 * in a form no saved tab produces (edited by hand, or hostile).
 */
export type TabPlacement =
  | { readonly kind: 'personal' }
  | { readonly kind: 'channel-all' }
  | { readonly kind: 'channel-client'; readonly client: ChannelClientRef }
  | { readonly kind: 'channel-invalid'; readonly clientName: string | null };

/** The server's rule for ids in paths (docs/api.md): 1–100 of `A–Z a–z 0–9 . _ ~ -`. */
const clientIdPattern = /^[A-Za-z0-9._~-]{1,100}$/;
/** A tenant GUID or domain, lowercase, as the server stores a client's target. */
const tenantPattern = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
/** A BC environment name: letters, digits, `-` and `_`, at most 30 characters. */
const environmentPattern = /^[a-z0-9_-]{1,30}$/;
/** Control characters and line breaks, which have no place in a one-line name. */
const controlCharacters = /[\p{Cc}\u2028\u2029]/gu;
/** Invisible format characters (zero-width, bidirectional overrides), which could disguise a name. */
const formatCharacters = /\p{Cf}/gu;

/** True when `value` has the form of a client id the server accepts in a path. */
export function isChannelClientId(value: string): boolean {
  return clientIdPattern.test(value);
}

function isTarget(t: ChannelClientTarget): boolean {
  return (
    tenantPattern.test(t.tenant.toLowerCase()) &&
    !t.tenant.includes('..') &&
    environmentPattern.test(t.environment.toLowerCase())
  );
}

/**
 * A client name from an address, fit to show as text: hidden characters dropped, white space
 * folded, cut to {@link maxChannelClientNameLength} characters; null when nothing is left.
 */
export function cleanClientName(raw: string | null): string | null {
  if (raw === null) return null;
  const folded = raw
    .replace(controlCharacters, ' ')
    .replace(formatCharacters, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!folded) return null;
  const chars = [...folded];
  return chars.length > maxChannelClientNameLength
    ? `${chars.slice(0, maxChannelClientNameLength).join('').trimEnd()}…`
    : folded;
}

/**
 * Reads the tab's placement from its address (`location.search`). Only an address with
 * `channel=1` is a channel tab; everything in it is treated as hostile, since anybody can edit
 * the address or craft a link. A repeated parameter is an address no saved tab has, so it
 * counts as malformed (or, for the optional ones, as absent).
 */
export function parseTabPlacement(search: string): TabPlacement {
  const params = new URLSearchParams(search);
  // The one value of `name`; null when absent or repeated.
  const single = (name: string): string | null => {
    const all = params.getAll(name);
    return all.length === 1 ? (all[0] ?? null) : null;
  };
  if (single('channel') !== '1') return { kind: 'personal' };
  const clientName = cleanClientName(single('clientName'));
  if (!params.has('clientId')) return { kind: 'channel-all' };
  const clientId = single('clientId');
  if (clientId === null || !isChannelClientId(clientId)) {
    return { kind: 'channel-invalid', clientName };
  }
  const tenant = single('bcTenant')?.toLowerCase();
  const environment = single('bcEnvironment')?.toLowerCase();
  const target = tenant && environment ? { tenant, environment } : null;
  return {
    kind: 'channel-client',
    client: { clientId, clientName, target: target && isTarget(target) ? target : null },
  };
}

/**
 * The viewer's own client that a one-client tab means when its id is not theirs: the one on the
 * same Business Central tenant and environment, if any.
 */
export function findSameClient<C extends { readonly target: ChannelClientTarget }>(
  ref: ChannelClientRef,
  clients: readonly C[],
): C | null {
  const target = ref.target;
  if (!target) return null;
  return (
    clients.find(
      (c) =>
        c.target.tenant.toLowerCase() === target.tenant &&
        c.target.environment.toLowerCase() === target.environment,
    ) ?? null
  );
}
