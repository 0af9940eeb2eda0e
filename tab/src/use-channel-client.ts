/**
 * Finds the viewer's own client that a one-client channel tab is about. The id in the tab's
 * address is the id in the list of whoever added the tab: for them the server knows it; for a
 * colleague it answers 404, and their own copy of the client is the one on the same Business
 * Central tenant and environment, if they have one.
 */
import { useCallback } from 'react';
import type { ClientDto } from '../../src/hub/api-types.js';
import { ApiError } from './api.js';
import type { ApiClient } from './api.js';
import { useApp } from './app-context.js';
import { findSameClient } from './channel-config.js';
import type { ChannelClientRef } from './channel-config.js';
import { useLoad } from './use-load.js';
import type { LoadControls } from './use-load.js';

/** The viewer's client the tab means, or none. */
export type ChannelClientMatch =
  { readonly kind: 'found'; readonly client: ClientDto } | { readonly kind: 'not-yours' };

/** Looks the client up; rejects only when the server could not say (it failed, or is away). */
export async function findChannelClient(
  api: ApiClient,
  ref: ChannelClientRef,
): Promise<ChannelClientMatch> {
  try {
    return { kind: 'found', client: await api.getClient(ref.clientId) };
  } catch (e) {
    // 404: not this viewer's id. 400: an id the server refuses, which no saved tab has.
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 400)) throw e;
  }
  if (!ref.target) return { kind: 'not-yours' };
  const same = findSameClient(ref, await api.listClients());
  return same ? { kind: 'found', client: same } : { kind: 'not-yours' };
}

/** Looks up `ref` on mount and on `reload()`; see {@link findChannelClient}. */
export function useChannelClient(ref: ChannelClientRef): LoadControls<ChannelClientMatch> {
  const { api } = useApp();
  const fetch = useCallback(() => findChannelClient(api, ref), [api, ref]);
  return useLoad(fetch);
}
