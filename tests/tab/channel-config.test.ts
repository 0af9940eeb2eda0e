/**
 * The channel tab's address, written by the set-up page and read back by the tab: what it
 * carries, and how the tab treats an address it did not write (edited, repeated, hostile).
 */
import { describe, expect, it } from '@jest/globals';
import {
  channelTabConfig,
  cleanClientName,
  findSameClient,
  maxChannelClientNameLength,
  parseTabPlacement,
} from '../../tab/src/channel-config.js';
import type { ChannelClientRef } from '../../tab/src/channel-config.js';

const tenant = '5a1e7c3d-9b2f-4e6a-8d41-0c7f2b9e6a13';

describe('the address a one-client channel tab saves', () => {
  it('carries the client’s id, name and Business Central environment, and reads back the same', () => {
    const saved = channelTabConfig('https://tab.example', {
      kind: 'client',
      clientId: 'c-1',
      clientName: 'Contoso & Sons',
      target: { tenant: tenant.toUpperCase(), environment: 'Production' },
    });
    const url = new URL(saved.contentUrl);
    expect(url.searchParams.get('clientName')).toBe('Contoso & Sons');
    expect(url.searchParams.get('bcTenant')).toBe(tenant);
    expect(url.searchParams.get('bcEnvironment')).toBe('production');
    expect(parseTabPlacement(url.search)).toEqual({
      kind: 'channel-client',
      client: {
        clientId: 'c-1',
        clientName: 'Contoso & Sons',
        target: { tenant, environment: 'production' },
      },
    });
  });

  it('leaves out a name that is only white space and an environment that is not one', () => {
    const saved = channelTabConfig('https://tab.example', {
      kind: 'client',
      clientId: 'c-1',
      clientName: ' \u200b ',
      target: { tenant, environment: '../admin' },
    });
    const url = new URL(saved.contentUrl);
    expect(url.searchParams.has('clientName')).toBe(false);
    expect(url.searchParams.has('bcTenant')).toBe(false);
    expect(url.searchParams.has('bcEnvironment')).toBe(false);
  });
});

describe('reading the tab’s placement from its address', () => {
  it('is a personal tab without channel=1, whatever else the address says', () => {
    expect(parseTabPlacement('')).toEqual({ kind: 'personal' });
    expect(parseTabPlacement('?view=dashboard&clientId=c-1')).toEqual({ kind: 'personal' });
    expect(parseTabPlacement('?channel=yes&clientId=c-1')).toEqual({ kind: 'personal' });
  });

  it('is a channel tab over all clients with channel=1 and no client', () => {
    expect(parseTabPlacement('?view=dashboard&channel=1')).toEqual({ kind: 'channel-all' });
  });

  it('keeps a one-client tab without its environment, which older tabs did not save', () => {
    expect(parseTabPlacement('?channel=1&clientId=abc.DEF_1~-')).toEqual({
      kind: 'channel-client',
      client: { clientId: 'abc.DEF_1~-', clientName: null, target: null },
    });
  });

  it.each([
    ['markup', '<img src=x onerror=alert(1)>'],
    ['a path', '../clients'],
    ['a very long id', 'a'.repeat(5000)],
    ['an empty id', ''],
    ['spaces', 'c 1'],
    ['a query of its own', 'c-1?x=1'],
  ])('refuses a client id with %s, without reading it further', (_, id) => {
    const search = `?channel=1&clientId=${encodeURIComponent(id)}&clientName=Contoso`;
    expect(parseTabPlacement(search)).toEqual({ kind: 'channel-invalid', clientName: 'Contoso' });
  });

  it('refuses a repeated client id, and ignores a repeated name or environment', () => {
    expect(parseTabPlacement('?channel=1&clientId=a&clientId=b')).toEqual({
      kind: 'channel-invalid',
      clientName: null,
    });
    expect(
      parseTabPlacement(
        `?channel=1&clientId=a&clientName=A&clientName=B&bcTenant=${tenant}&bcEnvironment=x&bcEnvironment=y`,
      ),
    ).toEqual({
      kind: 'channel-client',
      client: { clientId: 'a', clientName: null, target: null },
    });
  });

  it.each([
    ['a tenant with a path in it', 'contoso.com/../x', 'production'],
    ['a tenant with dots in a row', 'contoso..com', 'production'],
    ['an environment with a slash', 'contoso.com', 'prod/x'],
    ['an environment over 30 characters', 'contoso.com', 'e'.repeat(31)],
  ])('drops %s', (_, bcTenant, bcEnvironment) => {
    const search = `?channel=1&clientId=c-1&${new URLSearchParams({ bcTenant, bcEnvironment })}`;
    const placement = parseTabPlacement(search);
    expect(placement.kind === 'channel-client' && placement.client.target).toBeNull();
  });
});

describe('a client name from the address', () => {
  it('is text with hidden characters dropped and white space folded', () => {
    expect(cleanClientName('  Contoso\u202e\u200b  Ltd\n\t ')).toBe('Contoso Ltd');
    expect(cleanClientName('<b>Fabrikam</b>')).toBe('<b>Fabrikam</b>');
    expect(cleanClientName('\u0000\u0007')).toBeNull();
    expect(cleanClientName(null)).toBeNull();
  });

  it('is cut to the longest name a client can have, and says so', () => {
    const cut = cleanClientName('x'.repeat(10_000));
    expect(cut).toBe(`${'x'.repeat(maxChannelClientNameLength)}…`);
  });
});

describe('finding a colleague’s client in one’s own list', () => {
  const ref: ChannelClientRef = {
    clientId: 'their-id',
    clientName: 'Contoso',
    target: { tenant: 'contoso.com', environment: 'production' },
  };
  const mine = [
    { id: 'a', target: { tenant: 'contoso.com', environment: 'sandbox' } },
    { id: 'b', target: { tenant: 'Contoso.com', environment: 'Production' } },
  ];

  it('matches the client on the same tenant and environment', () => {
    expect(findSameClient(ref, mine)?.id).toBe('b');
  });

  it('matches nothing without an environment in the address, or when none is the same', () => {
    expect(findSameClient({ ...ref, target: null }, mine)).toBeNull();
    expect(findSameClient(ref, mine.slice(0, 1))).toBeNull();
  });
});
