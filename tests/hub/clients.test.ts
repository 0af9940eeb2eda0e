import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { asClientId } from '../../src/domain/ids.js';
import { appClientSecretName, sampleClientName } from '../../src/hub/clients.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import {
  expectErr,
  expectOk,
  goodAppSecret,
  identity,
  otherTenantId,
  signedIn,
  startHarness,
  thirdTenantId,
} from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;

afterEach(async () => {
  await h.close();
});

describe('signIn in sample mode', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('adds the sample client with its companies on first sign-in and refreshes it', async () => {
    const acc = await signedIn(h, 'first');
    const clients = await h.hub.listClients(acc);
    expect(clients).toHaveLength(1);
    const sample = clients[0];
    expect(sample).toMatchObject({
      name: sampleClientName,
      isSample: true,
      connection: { kind: 'sample' },
      target: { tenant: defaultSampleTenantId, environment: 'production' },
    });
    expect(sample?.companies).toHaveLength(3);
    await h.hub.idle();
    const dashboard = await h.hub.dashboard(acc);
    expect(dashboard.rows.map((r) => r.status)).toEqual(['fresh', 'fresh', 'fresh']);
  });

  it('does not add a second sample client when the same accountant signs in again', async () => {
    const acc = await signedIn(h, 'again');
    await h.hub.signIn(identity('again'));
    expect(await h.hub.listClients(acc)).toHaveLength(1);
  });

  it('adds only one sample client when two sign-ins of a new accountant race', async () => {
    const who = identity('racer');
    await Promise.all([h.hub.signIn(who), h.hub.signIn(who), h.hub.signIn(who)]);
    expect(await h.hub.listClients(who.id)).toHaveLength(1);
  });

  it('does not bring the sample client back after the accountant removed it', async () => {
    const acc = await signedIn(h, 'remover');
    const [sample] = await h.hub.listClients(acc);
    expectOk(await h.hub.removeClient(acc, sample!.id));
    await h.hub.signIn(identity('remover'));
    expect(await h.hub.listClients(acc)).toEqual([]);
  });
});

describe('signIn outside sample mode', () => {
  it('registers the accountant without any client', async () => {
    h = await startHarness({ sampleMode: false });
    const acc = await signedIn(h, 'plain');
    expect(await h.hub.listClients(acc)).toEqual([]);
    expect(await h.registry.forAccountant(acc).getProfile()).toMatchObject({
      displayName: 'Accountant plain',
    });
  });
});

describe('testClientUrl', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('lists the companies of a reachable environment and saves nothing', async () => {
    const acc = await signedIn(h, 'tester');
    const result = expectOk(await h.hub.testClientUrl(acc, h.bcUrl(otherTenantId, 'Production')));
    expect(result).toMatchObject({
      target: { tenant: otherTenantId, environment: 'production' },
      isSample: false,
    });
    expect(result.companies).toHaveLength(2);
    expect(await h.hub.listClients(acc)).toHaveLength(1);
  });

  it('says clearly when the URL is malformed', async () => {
    const acc = await signedIn(h, 'tester');
    const error = expectErr(await h.hub.testClientUrl(acc, 'https://evil.example.com/x/y'));
    expect(error.reason).toBe('validation');
    expect(error.message).toMatch(/not to Business Central/);
  });

  it('says clearly when the tenant does not exist', async () => {
    const acc = await signedIn(h, 'tester');
    const error = expectErr(
      await h.hub.testClientUrl(acc, h.bcUrl('99999999-9999-4999-8999-999999999999')),
    );
    expect(error.reason).toBe('bc-tenant-not-found');
  });

  it('says clearly when the tenant refuses access', async () => {
    const acc = await signedIn(h, 'tester');
    h.tenant.setFault(otherTenantId, { kind: 'status', status: 401 });
    const error = expectErr(await h.hub.testClientUrl(acc, h.bcUrl(otherTenantId)));
    expect(error.reason).toBe('bc-access-denied');
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['empty text', ''],
    ['blanks', ' '],
    ['3,000 characters', `https://businesscentral.dynamics.com/${'x'.repeat(3000)}`],
    ['a script URL', 'javascript:alert(1)'],
  ])('rejects %s as a URL without calling anything', async (_label, bad) => {
    const acc = await signedIn(h, 'tester');
    await h.hub.idle();
    h.tenant.resetStats();
    const error = expectErr(await h.hub.testClientUrl(acc, bad as unknown as string));
    expect(error.reason).toBe('validation');
    expect(h.tenant.stats().requests).toBe(0);
  });
});

describe('addClient', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('stores a delegated client with trimmed fields and the companies its tenant lists', async () => {
    const acc = await signedIn(h, 'adder');
    const client = expectOk(
      await h.hub.addClient(acc, {
        name: '  Other Client  ',
        url: `  ${h.bcUrl(otherTenantId)}  `,
        contact: ' Jane ',
        notes: 'Line one\nLine two',
        taxSettings: { frequency: 'monthly', dueDaysAfterPeriodEnd: 10 },
      }),
    );
    expect(client).toMatchObject({
      name: 'Other Client',
      url: h.bcUrl(otherTenantId),
      contact: 'Jane',
      notes: 'Line one\nLine two',
      connection: { kind: 'delegated' },
      taxSettings: { frequency: 'monthly', dueDaysAfterPeriodEnd: 10 },
      isSample: false,
    });
    expect(client.companies).toHaveLength(2);
    const expectedIds = h.tenant.fleet
      .environment(otherTenantId, 'production')!
      .companies.map((c) => c.id)
      .sort();
    expect(client.companies.map((c) => c.id).sort()).toEqual(expectedIds);
    expect(expectOk(await h.hub.getClient(acc, client.id))).toEqual(client);
  });

  it('uses the default tax settings when none are given', async () => {
    const acc = await signedIn(h, 'adder');
    const client = expectOk(await h.hub.addClient(acc, { name: 'T', url: h.bcUrl(thirdTenantId) }));
    expect(client.taxSettings).toEqual({ frequency: 'quarterly', dueDaysAfterPeriodEnd: 30 });
  });

  it('refuses the same tenant and environment twice, whatever the URL spelling', async () => {
    const acc = await signedIn(h, 'adder');
    expectOk(await h.hub.addClient(acc, { name: 'A', url: h.bcUrl(otherTenantId) }));
    const error = expectErr(
      await h.hub.addClient(acc, {
        name: 'B',
        url: `https://BusinessCentral.dynamics.com/${otherTenantId.toUpperCase()}/PRODUCTION/?company=x`,
      }),
    );
    expect(error.reason).toBe('conflict');
    expect(error.message).toMatch(/"A"/);
  });

  it('lets two concurrent adds of one environment store it only once', async () => {
    const acc = await signedIn(h, 'adder');
    const results = await Promise.all([
      h.hub.addClient(acc, { name: 'One', url: h.bcUrl(thirdTenantId) }),
      h.hub.addClient(acc, { name: 'Two', url: h.bcUrl(thirdTenantId) }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error.reason === 'conflict')).toHaveLength(1);
  });

  it('saves nothing when the tenant cannot be reached', async () => {
    const acc = await signedIn(h, 'adder');
    h.tenant.setFault(thirdTenantId, { kind: 'status', status: 503 });
    const error = expectErr(
      await h.hub.addClient(acc, { name: 'Down', url: h.bcUrl(thirdTenantId) }),
    );
    expect(error.reason).toBe('bc-unavailable');
    expect((await h.hub.listClients(acc)).map((c) => c.name)).toEqual([sampleClientName]);
  });

  it('adds another environment of the sample tenant as a sample client', async () => {
    const acc = await signedIn(h, 'adder');
    const client = expectOk(
      await h.hub.addClient(acc, { name: 'Sandbox', url: h.sampleUrl(otherTenantId, 'sandbox') }),
    );
    expect(client.connection).toEqual({ kind: 'sample' });
    expect(client.companies).toHaveLength(1);
  });

  it.each([
    [{ name: '', url: 'u' }, /Client name is required/],
    [{ name: '   ', url: 'u' }, /Client name is required/],
    [{ name: 'x'.repeat(101), url: 'u' }, /at most 100/],
    [{ name: 'Bell\u0007', url: 'u' }, /control characters/],
    [{ name: 'Ok', url: 'u', contact: 'c'.repeat(201) }, /at most 200/],
    [{ name: 'Ok', url: 'u', notes: 'n'.repeat(2001) }, /at most 2000/],
    [{ name: 'Ok', url: 'u', notes: 'null\u0000byte' }, /control characters/],
    [{ name: 'Ok', url: 'u', contact: 'two\nlines' }, /control characters/],
    [{ name: 42, url: 'u' }, /must be text/],
    [
      { name: 'Ok', url: 'u', taxSettings: { frequency: 'weekly', dueDaysAfterPeriodEnd: 1 } },
      /Tax settings/,
    ],
    [{ name: 'Ok', url: 'https://businesscentral.dynamics.com/' }, /tenant/],
  ])('rejects hostile or malformed input %#', async (input, message) => {
    const acc = await signedIn(h, 'adder');
    const error = expectErr(await h.hub.addClient(acc, input as never));
    expect(error.reason).toBe('validation');
    expect(error.message).toMatch(message);
    expect(await h.hub.listClients(acc)).toHaveLength(1);
  });

  it('rejects a payload that is not an object', async () => {
    const acc = await signedIn(h, 'adder');
    expect(expectErr(await h.hub.addClient(acc, null as never)).reason).toBe('validation');
  });

  it('accepts a 100-character name counted in characters, not UTF-16 units', async () => {
    const acc = await signedIn(h, 'adder');
    const name = '€'.repeat(99) + '😀';
    const client = expectOk(await h.hub.addClient(acc, { name, url: h.bcUrl(thirdTenantId) }));
    expect(client.name).toBe(name);
  });
});

describe('addClient with app-only credentials', () => {
  it('seals the secret, never returns it, and reaches the tenant with it', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'app');
    const appClientId = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
    const client = expectOk(
      await h.hub.addClient(acc, {
        name: 'App client',
        url: h.bcUrl(thirdTenantId),
        appCredentials: { appClientId, clientSecret: goodAppSecret },
      }),
    );
    expect(client.connection).toEqual({
      kind: 'app',
      appClientId: appClientId.toLowerCase(),
      hasSecret: true,
    });
    expect(JSON.stringify(client)).not.toContain(goodAppSecret);
    expect(JSON.stringify(await h.hub.listClients(acc))).not.toContain(goodAppSecret);
    const sealed = await h.registry.forAccountant(acc).getSecret(client.id, appClientSecretName);
    expect(sealed).not.toBeNull();
    await h.registry.close();
    const file = await readFile(path.join(h.dir, 'registry.json'), 'utf8');
    expect(file).not.toContain(goodAppSecret);
  });

  it('stores nothing when the tenant refuses the app credentials', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'app');
    const error = expectErr(
      await h.hub.addClient(acc, {
        name: 'Wrong secret',
        url: h.bcUrl(thirdTenantId),
        appCredentials: {
          appClientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
          clientSecret: 'wrong',
        },
      }),
    );
    expect(error.reason).toBe('bc-access-denied');
    expect(await h.hub.listClients(acc)).toHaveLength(1);
  });

  it('rejects app credentials for the sample tenant', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'app');
    const error = expectErr(
      await h.hub.addClient(acc, {
        name: 'Sample app',
        url: h.sampleUrl(otherTenantId, 'sandbox'),
        appCredentials: {
          appClientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
          clientSecret: goodAppSecret,
        },
      }),
    );
    expect(error.reason).toBe('validation');
  });

  it('rejects an app id that is not a GUID', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'app');
    const error = expectErr(
      await h.hub.addClient(acc, {
        name: 'Bad id',
        url: h.bcUrl(thirdTenantId),
        appCredentials: { appClientId: 'not-a-guid', clientSecret: 's' },
      }),
    );
    expect(error.reason).toBe('validation');
  });

  it('answers config when the hub has no secrets key', async () => {
    h = await startHarness({ withSealing: false });
    const acc = await signedIn(h, 'app');
    const error = expectErr(
      await h.hub.addClient(acc, {
        name: 'No key',
        url: h.bcUrl(thirdTenantId),
        appCredentials: {
          appClientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
          clientSecret: goodAppSecret,
        },
      }),
    );
    expect(error.reason).toBe('config');
    expect(await h.hub.listClients(acc)).toHaveLength(1);
  });
});

describe('sample URLs outside sample mode', () => {
  it('are refused as not Business Central addresses', async () => {
    h = await startHarness({ sampleMode: false });
    const acc = await signedIn(h, 'strict');
    const error = expectErr(await h.hub.addClient(acc, { name: 'S', url: h.sampleUrl() }));
    expect(error.reason).toBe('validation');
    expect(await h.hub.listClients(acc)).toEqual([]);
  });
});

describe('addClientFromInvitation', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('adds the client the invitation e-mail link points at, named after its company', async () => {
    const acc = await signedIn(h, 'invited');
    const client = expectOk(
      await h.hub.addClientFromInvitation(acc, {
        link: `https://businesscentral.dynamics.com/${otherTenantId}/sandbox?company=Fabrikam&redirectedfromsignup=1`,
      }),
    );
    expect(client).toMatchObject({
      name: 'Fabrikam',
      target: { tenant: otherTenantId, environment: 'sandbox' },
      connection: { kind: 'delegated' },
    });
    expect(client.url).toBe(
      `https://businesscentral.dynamics.com/${otherTenantId}/sandbox?company=Fabrikam`,
    );
  });

  it('adds the production environment of the tenant an Entra redeem link names', async () => {
    const acc = await signedIn(h, 'invited');
    const client = expectOk(
      await h.hub.addClientFromInvitation(acc, {
        link: `https://invitations.microsoft.com/redeem/?tenant=${thirdTenantId}&user=abc&ticket=xyz`,
        name: 'Third',
      }),
    );
    expect(client).toMatchObject({
      name: 'Third',
      target: { tenant: thirdTenantId, environment: 'production' },
    });
  });

  it('refuses a sign-in link that names no Business Central', async () => {
    const acc = await signedIn(h, 'invited');
    const error = expectErr(
      await h.hub.addClientFromInvitation(acc, {
        link: 'https://login.microsoftonline.com/common/oauth2/authorize',
      }),
    );
    expect(error.reason).toBe('validation');
  });
});

describe('updateClient', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('changes descriptive fields without reaching the tenant', async () => {
    const acc = await signedIn(h, 'editor');
    const client = expectOk(await h.hub.addClient(acc, { name: 'A', url: h.bcUrl(otherTenantId) }));
    await h.hub.idle();
    h.tenant.resetStats();
    const updated = expectOk(
      await h.hub.updateClient(acc, client.id, {
        name: 'Renamed',
        notes: 'n',
        taxSettings: { frequency: 'yearly', dueDaysAfterPeriodEnd: 90 },
      }),
    );
    expect(updated).toMatchObject({ name: 'Renamed', notes: 'n', url: client.url });
    expect(updated.taxSettings.frequency).toBe('yearly');
    expect(h.tenant.stats().requests).toBe(0);
  });

  it('re-tests a changed URL and reloads the companies of the new environment', async () => {
    const acc = await signedIn(h, 'editor');
    const client = expectOk(await h.hub.addClient(acc, { name: 'A', url: h.bcUrl(otherTenantId) }));
    expectOk(await h.hub.refresh(acc, { kind: 'client', clientId: client.id }));
    const updated = expectOk(
      await h.hub.updateClient(acc, client.id, { url: h.bcUrl(otherTenantId, 'sandbox') }),
    );
    expect(updated.target.environment).toBe('sandbox');
    expect(updated.companies).toHaveLength(1);
    const rows = (await h.hub.dashboard(acc)).rows.filter((r) => r.clientId === client.id);
    expect(rows.map((r) => r.status)).toEqual(['never']);
  });

  it('keeps the client as it was when the new URL does not answer', async () => {
    const acc = await signedIn(h, 'editor');
    const client = expectOk(await h.hub.addClient(acc, { name: 'A', url: h.bcUrl(otherTenantId) }));
    const error = expectErr(
      await h.hub.updateClient(acc, client.id, {
        url: h.bcUrl('99999999-9999-4999-8999-999999999999'),
      }),
    );
    expect(error.reason).toBe('bc-tenant-not-found');
    expect(expectOk(await h.hub.getClient(acc, client.id))).toEqual(client);
  });

  it('refuses to move a client onto another client’s environment', async () => {
    const acc = await signedIn(h, 'editor');
    const a = expectOk(await h.hub.addClient(acc, { name: 'A', url: h.bcUrl(otherTenantId) }));
    expectOk(await h.hub.addClient(acc, { name: 'B', url: h.bcUrl(thirdTenantId) }));
    const error = expectErr(await h.hub.updateClient(acc, a.id, { url: h.bcUrl(thirdTenantId) }));
    expect(error.reason).toBe('conflict');
  });

  it('rejects invalid fields and unknown clients', async () => {
    const acc = await signedIn(h, 'editor');
    const [sample] = await h.hub.listClients(acc);
    expect(expectErr(await h.hub.updateClient(acc, sample!.id, { name: '' })).reason).toBe(
      'validation',
    );
    expect(expectErr(await h.hub.updateClient(acc, asClientId('nope'), { name: 'x' })).reason).toBe(
      'not-found',
    );
  });

  it('puts the old app secret back when new credentials are refused', async () => {
    const acc = await signedIn(h, 'editor');
    const appClientId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const client = expectOk(
      await h.hub.addClient(acc, {
        name: 'App',
        url: h.bcUrl(thirdTenantId),
        appCredentials: { appClientId, clientSecret: goodAppSecret },
      }),
    );
    const error = expectErr(
      await h.hub.updateClient(acc, client.id, {
        appCredentials: { appClientId, clientSecret: 'wrong' },
      }),
    );
    expect(error.reason).toBe('bc-access-denied');
    // The client still works with the secret it had.
    const refreshed = expectOk(await h.hub.refresh(acc, { kind: 'client', clientId: client.id }));
    expect(refreshed.failed).toBe(0);
  });
});

describe('removeClient', () => {
  it('drops the client with its companies and snapshots', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'remover');
    await h.hub.idle();
    const [sample] = await h.hub.listClients(acc);
    expect((await h.registry.forAccountant(acc).listSnapshots()).length).toBe(3);
    expectOk(await h.hub.removeClient(acc, sample!.id));
    expect(await h.registry.forAccountant(acc).listCompanies()).toEqual([]);
    expect(await h.registry.forAccountant(acc).listSnapshots()).toEqual([]);
    expect((await h.hub.dashboard(acc)).rows).toEqual([]);
    expect(expectErr(await h.hub.removeClient(acc, sample!.id)).reason).toBe('not-found');
  });
});

describe('isolation between accountants', () => {
  it('never lets one accountant read, change or remove another’s client', async () => {
    h = await startHarness();
    const alice = await signedIn(h, 'alice');
    const bob = await signedIn(h, 'bob');
    const [aliceSample] = await h.hub.listClients(alice);
    const id = aliceSample!.id;
    expect(expectErr(await h.hub.getClient(bob, id)).reason).toBe('not-found');
    expect(expectErr(await h.hub.updateClient(bob, id, { name: 'x' })).reason).toBe('not-found');
    expect(expectErr(await h.hub.removeClient(bob, id)).reason).toBe('not-found');
    expect(expectErr(await h.hub.startRefresh(bob, { kind: 'client', clientId: id })).reason).toBe(
      'not-found',
    );
    expect((await h.hub.listClients(bob)).map((c) => c.id)).not.toContain(id);
    expect((await h.hub.listClients(alice)).map((c) => c.id)).toEqual([id]);
  });
});
