/**
 * The Toolkit CLI (which ships the YAML schemas) is not installed, so these tests check the
 * project files structurally: stages, actions and their inputs, and that every `${{VAR}}` the
 * Toolkit will substitute has a source (an env file key, or an earlier action that writes it).
 */
import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseEnvFile } from '../../appPackage/env-file.js';
import { placeholdersIn } from '../../appPackage/package-app.js';
import { TEAMS_CLIENT_APP_IDS } from '../../server/auth/entra-token.js';

const root = process.cwd();
const read = (path: string): Promise<string> => readFile(join(root, path), 'utf8');

interface Action {
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
interface ProjectFile {
  version: string;
  environmentFolderPath?: string;
  provision?: Action[];
  deploy?: Action[];
  publish?: Action[];
}

const projects = [
  { file: 'teamsapp.local.yml', env: 'local' },
  { file: 'teamsapp.yml', env: 'dev' },
] as const;

async function envKeys(env: string): Promise<Set<string>> {
  const parsed = parseEnvFile(await read(`env/.env.${env}`), `env/.env.${env}`);
  if (!parsed.ok) throw parsed.error;
  return new Set(Object.keys(parsed.value));
}

describe.each(projects)('$file', ({ file, env }) => {
  it('declares the schema in its header and the same version', async () => {
    const text = await read(file);
    const header =
      /^# yaml-language-server: \$schema=https:\/\/aka\.ms\/m365-agents-toolkits\/(v[\d.]+)\/yaml\.schema\.json$/m.exec(
        text,
      );
    expect(header).not.toBeNull();
    const project = parse(text) as ProjectFile;
    expect(project.version).toBe(header?.[1]);
    expect(project.environmentFolderPath).toBe('./env');
  });

  it('provisions the Teams app, the SSO Entra app, the bot, and the package, in that order', async () => {
    const project = parse(await read(file)) as ProjectFile;
    expect(project.provision?.map((a) => a.uses)).toEqual([
      'teamsApp/create',
      'aadApp/create',
      'aadApp/update',
      'botAadApp/create',
      'botFramework/create',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    const byUse = new Map(project.provision?.map((a) => [a.uses, a]));
    expect(byUse.get('aadApp/create')?.with).toMatchObject({
      generateClientSecret: true,
      generateServicePrincipal: true,
      signInAudience: 'AzureADMultipleOrgs',
    });
    expect(byUse.get('aadApp/create')?.writeToEnvironmentFile).toMatchObject({
      clientId: 'AAD_APP_CLIENT_ID',
      clientSecret: 'SECRET_AAD_APP_CLIENT_SECRET',
    });
    expect(byUse.get('aadApp/update')?.with?.manifestPath).toBe('./aad.manifest.json');
    expect(byUse.get('botAadApp/create')?.writeToEnvironmentFile).toEqual({
      botId: 'BOT_ID',
      botPassword: 'SECRET_BOT_PASSWORD',
    });
    expect(byUse.get('botFramework/create')?.with).toMatchObject({
      botId: '${{BOT_ID}}',
      messagingEndpoint: '${{TAB_ENDPOINT}}/api/messages',
      channels: [{ name: 'msteams' }],
    });
    for (const action of project.provision ?? []) {
      const input = action.with ?? {};
      if (input.manifestPath !== undefined) {
        expect(['./appPackage/manifest.json', './aad.manifest.json']).toContain(input.manifestPath);
      }
      for (const zip of [input.outputZipPath, input.appPackagePath]) {
        if (zip !== undefined)
          expect(zip).toBe('./appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip');
      }
    }
  });

  it('deploys by installing and building with npm', async () => {
    const project = parse(await read(file)) as ProjectFile;
    const npm = project.deploy?.filter((a) => a.uses === 'cli/runNpmCommand') ?? [];
    expect(npm.map((a) => a.with?.args)).toEqual(['install --no-audit', 'run build:tab']);
  });

  it('every ${{VAR}} it uses is declared in its env file or written by an earlier action', async () => {
    const text = await read(file);
    const project = parse(text) as ProjectFile;
    const declared = await envKeys(env);
    const written = new Set<string>(['TEAMSFX_ENV']);
    const unresolved: string[] = [];
    for (const stage of [project.provision, project.deploy, project.publish]) {
      for (const action of stage ?? []) {
        for (const name of placeholdersIn(JSON.stringify(action.with ?? {}))) {
          if (!declared.has(name) && !written.has(name)) unresolved.push(`${action.uses}: ${name}`);
        }
        for (const name of Object.values(action.writeToEnvironmentFile ?? {})) {
          written.add(name);
          // Secrets must land in the git-ignored .user file, which the SECRET_ prefix selects.
          if (/PASSWORD|SECRET/.test(name)) expect(name.startsWith('SECRET_')).toBe(true);
          // Non-secret outputs are declared, empty, in the committed env file.
          else expect(declared.has(name)).toBe(true);
        }
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('its env file commits no secrets', async () => {
    const parsed = parseEnvFile(await read(`env/.env.${env}`), env);
    if (!parsed.ok) throw parsed.error;
    for (const [key, value] of Object.entries(parsed.value)) {
      expect(key.startsWith('SECRET_')).toBe(false);
      if (!['TEAMSFX_ENV', 'APP_NAME_SUFFIX'].includes(key))
        expect(`${key}=${value}`).toBe(`${key}=`);
    }
  });
});

describe('teamsapp.yml (hosted)', () => {
  it('deploys to the App Service without uploading secrets, and publishes', async () => {
    const project = parse(await read('teamsapp.yml')) as ProjectFile;
    const zipDeploy = project.deploy?.find((a) => a.uses === 'azureAppService/zipDeploy');
    expect(zipDeploy?.with).toMatchObject({
      artifactFolder: '.',
      resourceId: '${{AZURE_APP_SERVICE_RESOURCE_ID}}',
    });
    const ignore = await read(String(zipDeploy?.with?.ignoreFile));
    for (const secretPath of ['env/*.user', '.localConfigs']) {
      expect(ignore.split('\n')).toContain(secretPath);
    }
    expect(project.publish?.map((a) => a.uses)).toEqual([
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
      'teamsApp/publishAppPackage',
    ]);
  });
});

describe('teamsapp.local.yml', () => {
  it("writes the server's settings for Entra sign-in and the bot", async () => {
    const project = parse(await read('teamsapp.local.yml')) as ProjectFile;
    const file = project.deploy?.find((a) => a.uses === 'file/createOrUpdateEnvironmentFile');
    expect(file?.with?.target).toBe('./.localConfigs');
    expect(file?.with?.envs).toMatchObject({
      PUBLIC_URL: '${{TAB_ENDPOINT}}',
      AUTH_MODE: 'entra',
      ENTRA_CLIENT_ID: '${{AAD_APP_CLIENT_ID}}',
      ENTRA_CLIENT_SECRET: '${{SECRET_AAD_APP_CLIENT_SECRET}}',
      BOT_APP_ID: '${{BOT_ID}}',
      BOT_APP_PASSWORD: '${{SECRET_BOT_PASSWORD}}',
    });
  });
});

describe('aad.manifest.json (the Entra app registration)', () => {
  async function aadManifest() {
    return JSON.parse(await read('aad.manifest.json')) as {
      identifierUris: string[];
      signInAudience: string;
      api: {
        requestedAccessTokenVersion: number;
        oauth2PermissionScopes: Array<{
          value: string;
          id: string;
          type: string;
          isEnabled: boolean;
        }>;
        preAuthorizedApplications: Array<{ appId: string; delegatedPermissionIds: string[] }>;
      };
      requiredResourceAccess: Array<{
        resourceAppId: string;
        resourceAccess: Array<{ id: string; type: string }>;
      }>;
    };
  }

  it('exposes access_as_user at the Application ID URI the Teams manifest names', async () => {
    const aad = await aadManifest();
    const teams = JSON.parse(await read('appPackage/manifest.json'));
    expect(aad.identifierUris).toEqual([teams.webApplicationInfo.resource]);
    expect(aad.signInAudience).toBe('AzureADMultipleOrgs');
    expect(aad.api.requestedAccessTokenVersion).toBe(2);
    expect(aad.api.oauth2PermissionScopes).toEqual([
      expect.objectContaining({
        value: 'access_as_user',
        id: '${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}}',
        type: 'User',
        isEnabled: true,
      }),
    ]);
  });

  it('pre-authorizes exactly the Microsoft 365 clients the server accepts tokens from', async () => {
    const aad = await aadManifest();
    expect(aad.api.preAuthorizedApplications.map((a) => a.appId).sort()).toEqual(
      [...TEAMS_CLIENT_APP_IDS].sort(),
    );
    for (const app of aad.api.preAuthorizedApplications) {
      expect(app.delegatedPermissionIds).toEqual(['${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}}']);
    }
  });

  it('asks for Business Central: Financials.ReadWrite.All (delegated) and API.ReadWrite.All (app)', async () => {
    const aad = await aadManifest();
    const bc = aad.requiredResourceAccess.find(
      (r) => r.resourceAppId === '996def3d-b36c-4153-8607-a6fd3c01b89f',
    );
    expect(bc?.resourceAccess).toEqual([
      { id: '2fb13c28-9d89-417f-9af2-ec3065bc16e6', type: 'Scope' },
      { id: 'a42b0b75-311e-488d-b67e-8fe84f924341', type: 'Role' },
    ]);
  });

  it('uses only placeholders the env files declare or provision writes', async () => {
    const used = placeholdersIn(await read('aad.manifest.json'));
    const local = await envKeys('local');
    const dev = await envKeys('dev');
    for (const name of used) {
      expect([name, local.has(name) && dev.has(name)]).toEqual([name, true]);
    }
  });
});
