/**
 * Managing clients: sign-in (with the first-run sample client), Test Client URL, add (also from
 * an invitation link), edit and remove. A client is only stored once its tenant has answered with
 * its companies, so a wrong URL never leaves a half-made client behind.
 */
import { AppError, err, ok } from '../domain/errors.js';
import type { Result } from '../domain/errors.js';
import { asClientId } from '../domain/ids.js';
import type { AccountantId, ClientId } from '../domain/ids.js';
import { parseClientUrl, parseInvitationLink } from '../domain/client-url.js';
import type { BcEnvironmentRef, Client, Company, ConnectionMode } from '../domain/model.js';
import type { AccountantStore, ClientPatch, SealedSecret } from '../registry/registry.js';
import type { CompanyInfo } from '../connector/tenant-connector.js';
import type { ClientDto, CompanyDto, RefreshScope } from './api-types.js';
import type { Hub } from './hub.js';
import {
  checkAppCredentials,
  checkClientFields,
  checkUrlText,
  clientFieldLimits,
} from './client-fields.js';
import { createKeyedMutex, environmentTargetOf, storeOf } from './context.js';
import type { HubContext } from './context.js';
import { compareNames } from '../domain/names.js';

/** Registry secret name under which an app's client secret is sealed (context `{clientId}/{name}`). */
export const appClientSecretName = 'app-client-secret';

/** The name given to the sample client on first run. */
export const sampleClientName = 'Sample client — CRONUS';

/** The connector needs a client id in its target; a client being tested has none yet. */
const untestedClientId = asClientId('untested-client');

interface ParsedUrl {
  readonly target: BcEnvironmentRef;
  readonly companyName: string | null;
  readonly isSample: boolean;
  readonly normalizedUrl: string;
}

function sameTarget(a: BcEnvironmentRef, b: BcEnvironmentRef): boolean {
  return a.tenant === b.tenant && a.environment === b.environment;
}

export function companyDtoOf(company: Company): CompanyDto {
  return { id: company.id, name: company.name, displayName: company.displayName };
}

/** The API view of a client: the secret itself is never part of it. */
export function clientDtoOf(client: Client, companies: readonly Company[]): ClientDto {
  const connection: ClientDto['connection'] =
    client.connection.kind === 'app'
      ? {
          kind: 'app',
          appClientId: client.connection.appClientId,
          hasSecret: client.connection.hasSecret,
        }
      : { kind: client.connection.kind };
  return {
    id: client.id,
    name: client.name,
    url: client.url,
    target: { tenant: client.target.tenant, environment: client.target.environment },
    contact: client.contact,
    notes: client.notes,
    connection,
    taxSettings: client.taxSettings,
    isSample: client.isSample,
    createdAt: client.createdAt,
    updatedAt: client.updatedAt,
    companies: companies.filter((c) => c.clientId === client.id).map(companyDtoOf),
  };
}

function infoToCompany(info: CompanyInfo): Omit<Company, 'clientId'> {
  return { id: info.id, name: info.name, displayName: info.displayName };
}

export type ClientUseCases = Pick<
  Hub,
  | 'signIn'
  | 'listClients'
  | 'getClient'
  | 'testClientUrl'
  | 'addClient'
  | 'addClientFromInvitation'
  | 'updateClient'
  | 'removeClient'
>;

export function createClientUseCases(
  ctx: HubContext,
  hooks: {
    /** Starts a background refresh (the sample client's first numbers). */
    startRefresh: (acc: AccountantId, scope: RefreshScope) => Promise<unknown>;
    /** Forgets cached live data of a client that changed or went away. */
    forgetClient: (acc: AccountantId, clientId: ClientId) => void;
  },
): ClientUseCases {
  const lock = createKeyedMutex();

  function parseUrl(url: unknown, kind: 'client' | 'invitation'): Result<ParsedUrl> {
    const text = checkUrlText(url);
    if (!text.ok) return text;
    const options = { sampleOrigin: ctx.sampleMode?.sampleOrigin ?? null };
    const parsed =
      kind === 'client'
        ? parseClientUrl(text.value, options)
        : parseInvitationLink(text.value, options);
    if (!parsed.ok) return parsed;
    if (parsed.value.isSample && ctx.sampleMode === null) {
      return err(
        new AppError('validation', 'Sample URLs work only when the hub runs in sample mode.', {
          field: 'url',
        }),
      );
    }
    return ok(parsed.value);
  }

  async function findDuplicate(
    store: AccountantStore,
    target: BcEnvironmentRef,
    except: ClientId | null,
  ): Promise<Client | null> {
    const clients = await store.listClients();
    return clients.find((c) => c.id !== except && sameTarget(c.target, target)) ?? null;
  }

  function conflictWith(existing: Client): AppError {
    return new AppError(
      'conflict',
      `This Business Central environment is already a client: "${existing.name}".`,
      { clientId: existing.id },
    );
  }

  function noSealing(): Result<never> {
    return err(
      new AppError(
        'config',
        'App-only access needs a secrets key in the hub configuration; ask your administrator, or connect with your own account instead.',
      ),
    );
  }

  function sealFor(clientId: ClientId, plain: string): Result<SealedSecret> {
    if (ctx.sealSecret === null) return noSealing();
    return ok(ctx.sealSecret(plain, `${clientId}/${appClientSecretName}`));
  }

  async function listedCompanies(
    acc: AccountantId,
    client: Pick<Client, 'id' | 'target' | 'connection'>,
  ): Promise<Result<CompanyInfo[]>> {
    return ctx.connector.listCompanies(environmentTargetOf(acc, client));
  }

  async function dtoOf(store: AccountantStore, client: Client): Promise<ClientDto> {
    return clientDtoOf(client, await store.listCompanies(client.id));
  }

  /** Stores a client whose URL parsed: reaches the tenant first, saves nothing on failure. */
  async function createChecked(
    acc: AccountantId,
    fields: { name: string; contact?: string; notes?: string; taxSettings?: Client['taxSettings'] },
    url: string,
    parsed: ParsedUrl,
    appCredentials: unknown,
  ): Promise<Result<ClientDto>> {
    const store = storeOf(ctx, acc);
    let credentials: { appClientId: string; clientSecret: string } | null = null;
    if (appCredentials !== undefined && appCredentials !== null && parsed.isSample) {
      return err(
        new AppError('validation', 'The sample tenant needs no app credentials.', {
          field: 'appCredentials',
        }),
      );
    }
    if (appCredentials !== undefined && appCredentials !== null) {
      const checked = checkAppCredentials(appCredentials);
      if (!checked.ok) return checked;
      if (ctx.sealSecret === null) return noSealing();
      credentials = checked.value;
    }
    const existing = await findDuplicate(store, parsed.target, null);
    if (existing) return err(conflictWith(existing));

    const newClient = {
      ...fields,
      url,
      target: parsed.target,
      isSample: false,
    };

    if (credentials === null) {
      const connection: ConnectionMode = parsed.isSample
        ? { kind: 'sample' }
        : { kind: 'delegated' };
      const listed = await listedCompanies(acc, {
        id: untestedClientId,
        target: parsed.target,
        connection,
      });
      if (!listed.ok) return listed;
      return lock(acc, async () => {
        const again = await findDuplicate(store, parsed.target, null);
        if (again) return err(conflictWith(again));
        const client = await store.createClient({ ...newClient, connection });
        await store.setCompanies(client.id, listed.value.map(infoToCompany));
        ctx.logger.info('client added', { accountantId: acc, clientId: client.id });
        return ok(await dtoOf(store, client));
      });
    }

    // App-only access: the connector's token provider reads the sealed secret from the registry
    // by client id, so the client is stored first and removed again if its tenant does not answer.
    const app = credentials;
    const created = await lock(acc, async (): Promise<Result<Client>> => {
      const again = await findDuplicate(store, parsed.target, null);
      if (again) return err(conflictWith(again));
      const client = await store.createClient({
        ...newClient,
        connection: { kind: 'app', appClientId: app.appClientId, hasSecret: true },
      });
      const sealed = sealFor(client.id, app.clientSecret);
      if (!sealed.ok) {
        await store.removeClient(client.id);
        return sealed;
      }
      await store.saveSecret(client.id, appClientSecretName, sealed.value);
      return ok(client);
    });
    if (!created.ok) return created;
    const listed = await listedCompanies(acc, created.value);
    if (!listed.ok) {
      await store.removeClient(created.value.id);
      return listed;
    }
    await store.setCompanies(created.value.id, listed.value.map(infoToCompany));
    ctx.logger.info('client added', { accountantId: acc, clientId: created.value.id, mode: 'app' });
    return ok(await dtoOf(store, created.value));
  }

  async function addSampleClient(acc: AccountantId): Promise<void> {
    if (ctx.sampleMode === null) return;
    const parsed = parseUrl(ctx.sampleMode.defaultClientUrl, 'client');
    if (!parsed.ok) {
      ctx.logger.error('sample client URL is not valid', { reason: parsed.error.reason });
      return;
    }
    const store = storeOf(ctx, acc);
    const connection: ConnectionMode = { kind: 'sample' };
    const listed = await listedCompanies(acc, {
      id: untestedClientId,
      target: parsed.value.target,
      connection,
    });
    if (!listed.ok) {
      ctx.logger.warn('sample client not added: the sample tenant did not answer', {
        accountantId: acc,
        reason: listed.error.reason,
      });
      return;
    }
    const client = await lock(acc, async () => {
      if (await findDuplicate(store, parsed.value.target, null)) return null;
      const created = await store.createClient({
        name: sampleClientName,
        url: ctx.sampleMode?.defaultClientUrl ?? parsed.value.normalizedUrl,
        target: parsed.value.target,
        connection,
        isSample: true,
        notes:
          'A sample client on the built-in sample tenant. Remove it when you no longer need it.',
      });
      await store.setCompanies(created.id, listed.value.map(infoToCompany));
      return created;
    });
    if (client === null) return;
    ctx.logger.info('sample client added', { accountantId: acc, clientId: client.id });
    await hooks.startRefresh(acc, { kind: 'client', clientId: client.id });
  }

  return {
    async signIn(identity) {
      const store = storeOf(ctx, identity.id);
      // Whether this is the first sign-in is the "never had clients" flag: the sample client is
      // offered once, so removing it does not bring it back at the next sign-in.
      const isFirstSignIn = await lock(identity.id, async () => {
        const existing = await store.getProfile();
        await store.ensureProfile({
          entraTenantId: identity.entraTenantId,
          userObjectId: identity.userObjectId,
          displayName: identity.displayName,
        });
        return existing === null;
      });
      if (isFirstSignIn && ctx.sampleMode !== null) await addSampleClient(identity.id);
    },

    async listClients(acc) {
      const store = storeOf(ctx, acc);
      const [clients, companies] = await Promise.all([store.listClients(), store.listCompanies()]);
      return clients
        .map((c) => clientDtoOf(c, companies))
        .sort((a, b) => compareNames(a.name, b.name));
    },

    async getClient(acc, id) {
      const store = storeOf(ctx, acc);
      const client = await store.getClient(id);
      if (!client) return err(new AppError('not-found', 'This client does not exist.'));
      return ok(await dtoOf(store, client));
    },

    async testClientUrl(acc, url) {
      const parsed = parseUrl(url, 'client');
      if (!parsed.ok) return parsed;
      const connection: ConnectionMode = parsed.value.isSample
        ? { kind: 'sample' }
        : { kind: 'delegated' };
      const listed = await listedCompanies(acc, {
        id: untestedClientId,
        target: parsed.value.target,
        connection,
      });
      if (!listed.ok) return listed;
      return ok({
        url: parsed.value.normalizedUrl,
        target: parsed.value.target,
        isSample: parsed.value.isSample,
        companies: listed.value.map((c) => ({
          id: c.id,
          name: c.name,
          displayName: c.displayName,
        })),
      });
    },

    async addClient(acc, input) {
      if (typeof input !== 'object' || input === null) {
        return err(new AppError('validation', 'A client needs a name and a Client URL.'));
      }
      const fields = checkClientFields(input as unknown as Record<string, unknown>, true);
      if (!fields.ok) return fields;
      const parsed = parseUrl(input.url, 'client');
      if (!parsed.ok) return parsed;
      const { name } = fields.value;
      if (name === undefined) return err(new AppError('validation', 'Client name is required.'));
      return createChecked(
        acc,
        { ...fields.value, name },
        (input.url as string).trim(),
        parsed.value,
        input.appCredentials,
      );
    },

    async addClientFromInvitation(acc, input) {
      if (typeof input !== 'object' || input === null) {
        return err(new AppError('validation', 'Paste the invitation link.'));
      }
      const parsed = parseUrl(input.link, 'invitation');
      if (!parsed.ok) return parsed;
      const suggested =
        parsed.value.companyName ??
        `${parsed.value.target.tenant} (${parsed.value.target.environment})`;
      const name =
        input.name !== undefined && input.name !== null && String(input.name).trim() !== ''
          ? input.name
          : [...suggested].slice(0, clientFieldLimits.name).join('');
      const fields = checkClientFields({ name }, true);
      if (!fields.ok) return fields;
      return createChecked(
        acc,
        { name: fields.value.name ?? suggested },
        parsed.value.normalizedUrl,
        parsed.value,
        undefined,
      );
    },

    async updateClient(acc, id, patch) {
      if (typeof patch !== 'object' || patch === null) {
        return err(new AppError('validation', 'Nothing to change.'));
      }
      const store = storeOf(ctx, acc);
      const client = await store.getClient(id);
      if (!client) return err(new AppError('not-found', 'This client does not exist.'));
      const fields = checkClientFields(patch as unknown as Record<string, unknown>, false);
      if (!fields.ok) return fields;

      const changes: {
        -readonly [K in keyof ClientPatch]: ClientPatch[K];
      } = { ...fields.value };
      let parsed: ParsedUrl | null = null;
      if (patch.url !== undefined) {
        const text = checkUrlText(patch.url);
        if (!text.ok) return text;
        if (text.value !== client.url) {
          const p = parseUrl(text.value, 'client');
          if (!p.ok) return p;
          parsed = p.value;
          changes.url = text.value;
        }
      }
      let credentials: { appClientId: string; clientSecret: string } | null = null;
      if (patch.appCredentials !== undefined && patch.appCredentials !== null) {
        const checked = checkAppCredentials(patch.appCredentials);
        if (!checked.ok) return checked;
        if (ctx.sealSecret === null) return noSealing();
        credentials = checked.value;
      }

      const target = parsed?.target ?? client.target;
      const isSample = parsed ? parsed.isSample : client.connection.kind === 'sample';
      if (credentials !== null && isSample) {
        return err(
          new AppError('validation', 'The sample tenant needs no app credentials.', {
            field: 'appCredentials',
          }),
        );
      }
      let connection: ConnectionMode = client.connection;
      if (isSample) connection = { kind: 'sample' };
      else if (credentials !== null)
        connection = { kind: 'app', appClientId: credentials.appClientId, hasSecret: true };
      else if (client.connection.kind === 'sample') connection = { kind: 'delegated' };

      const targetChanged = !sameTarget(target, client.target);
      const connectionChanged =
        JSON.stringify(connection) !== JSON.stringify(client.connection) || credentials !== null;
      if (targetChanged) {
        const existing = await findDuplicate(store, target, id);
        if (existing) return err(conflictWith(existing));
        changes.target = target;
      }

      if (targetChanged || connectionChanged) {
        // Re-test before anything is saved. New app credentials must be in the registry for the
        // token provider to use them, so the old secret is put back if the test fails.
        const previousSecret = credentials ? await store.getSecret(id, appClientSecretName) : null;
        if (credentials) {
          const sealed = sealFor(id, credentials.clientSecret);
          if (!sealed.ok) return sealed;
          await store.saveSecret(id, appClientSecretName, sealed.value);
        }
        const listed = await listedCompanies(acc, { id, target, connection });
        if (!listed.ok) {
          if (credentials) await store.saveSecret(id, appClientSecretName, previousSecret);
          return listed;
        }
        changes.connection = connection;
        const updated = await lock(acc, async (): Promise<Result<Client>> => {
          if (targetChanged) {
            const again = await findDuplicate(store, target, id);
            if (again) return err(conflictWith(again));
          }
          const saved = await store.updateClient(id, changes);
          if (!saved) return err(new AppError('not-found', 'This client does not exist.'));
          // Numbers of the old environment must not show under the new one.
          if (targetChanged) await store.setCompanies(id, []);
          await store.setCompanies(id, listed.value.map(infoToCompany));
          return ok(saved);
        });
        if (!updated.ok) return updated;
        hooks.forgetClient(acc, id);
        ctx.logger.info('client updated', { accountantId: acc, clientId: id, retested: true });
        return ok(await dtoOf(store, updated.value));
      }

      const saved = await store.updateClient(id, changes);
      if (!saved) return err(new AppError('not-found', 'This client does not exist.'));
      hooks.forgetClient(acc, id);
      return ok(await dtoOf(store, saved));
    },

    async removeClient(acc, id) {
      const removed = await storeOf(ctx, acc).removeClient(id);
      if (!removed) return err(new AppError('not-found', 'This client does not exist.'));
      hooks.forgetClient(acc, id);
      ctx.logger.info('client removed', { accountantId: acc, clientId: id });
      return ok(undefined);
    },
  };
}
