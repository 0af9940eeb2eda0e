/**
 * The channel (and group chat) tab's set-up page, `config.html`. Inside Teams the user chooses
 * what the tab shows (the dashboard of all their clients, or of one client); on Save it stores the
 * tab's address with `pages.config.setConfig`. Outside Teams it explains where it belongs.
 */
import type * as TeamsJs from '@microsoft/teams-js';
import type { ClientDto } from '../../src/hub/api-types.js';
import { ApiClient, errorMessage } from './api.js';
import { channelTabConfig } from './channel-config.js';
import type { ChannelTabChoice } from './channel-config.js';
import { parseThemeName, withTimeout } from './host-params.js';
import { applyTheme, byId, showOnly } from './page-dom.js';
import { createSsoTokenSource, failureText, isGuid } from './sso.js';
import { mightBeInTeams, teamsInitTimeoutMs, tokenTimeoutMs } from './teams-host.js';

const sections = ['connecting', 'outside', 'setup'] as const;

/** The client a saved tab was limited to, from its entity id (`dashboard-{clientId}`). */
function savedClientId(entityId: string | undefined): string | null {
  return entityId?.startsWith('dashboard-') ? entityId.slice('dashboard-'.length) : null;
}

async function start(): Promise<void> {
  if (!mightBeInTeams(window)) {
    showOnly('outside', sections);
    return;
  }
  let teams: typeof TeamsJs;
  try {
    teams = await import('@microsoft/teams-js');
    await withTimeout(teams.app.initialize(), teamsInitTimeoutMs, 'Teams');
  } catch {
    showOnly('outside', sections);
    return;
  }
  const { app, authentication, pages } = teams;
  const context = await withTimeout(app.getContext(), teamsInitTimeoutMs, 'Teams context').catch(
    () => null,
  );
  applyTheme(parseThemeName(context?.app.theme) ?? 'default');
  app.registerOnThemeChangeHandler((name) => applyTheme(parseThemeName(name) ?? 'default'));
  showOnly('setup', sections);

  const tokens = createSsoTokenSource({
    fetchToken: () => withTimeout(authentication.getAuthToken(), tokenTimeoutMs, 'Teams SSO'),
  });
  const api = new ApiClient({
    getAuthToken: (request) => tokens.getToken(request),
    signInNeeded: () => tokens.consentNeeded,
  });
  const addressClientId = new URLSearchParams(window.location.search).get('appClientId');

  const allRadio = byId<HTMLInputElement>('scope-all');
  const oneRadio = byId<HTMLInputElement>('scope-one');
  const select = byId<HTMLSelectElement>('client');
  const status = byId('status');

  const clientsById = new Map<string, ClientDto>();

  const choice = (): ChannelTabChoice | null => {
    if (allRadio.checked) return { kind: 'all' };
    const client = oneRadio.checked ? clientsById.get(select.value) : undefined;
    if (!client) return null;
    // The name and the Business Central environment let colleagues' own copies of the client match.
    return { kind: 'client', clientId: client.id, clientName: client.name, target: client.target };
  };
  const update = (): void => {
    select.disabled = !oneRadio.checked || select.options.length <= 1;
    pages.config.setValidityState(choice() !== null);
  };
  for (const el of [allRadio, oneRadio, select]) el.addEventListener('change', update);

  pages.config.registerOnSaveHandler((event) => {
    const chosen = choice();
    if (!chosen) {
      event.notifyFailure('Choose what the tab shows.');
      return;
    }
    const appClientId = tokens.appClientId ?? (isGuid(addressClientId) ? addressClientId : null);
    pages.config.setConfig(channelTabConfig(window.location.origin, chosen, appClientId)).then(
      () => event.notifySuccess(),
      (e: unknown) => event.notifyFailure(failureText(e)),
    );
  });

  const previous = savedClientId(context?.page.id);
  if (context?.page.id === 'dashboard') allRadio.checked = true;
  update();

  status.textContent = 'Loading your clients…';
  try {
    const clients = await api.listClients();
    for (const c of [...clients].sort((a, b) => a.name.localeCompare(b.name))) {
      clientsById.set(c.id, c);
      select.add(new Option(c.name, c.id, false, c.id === previous));
    }
    if (previous && select.value === previous) oneRadio.checked = true;
    status.textContent =
      clients.length === 0
        ? 'You have no clients yet: the tab will show the sample client until you add your own.'
        : '';
    oneRadio.disabled = clients.length === 0;
  } catch (e) {
    oneRadio.disabled = true;
    status.dataset.kind = 'error';
    status.textContent = tokens.consentNeeded
      ? 'Sign in first: open Accountant Hub’s Dashboard tab and choose Sign in. You can still add the dashboard of all your clients here.'
      : `Your clients could not be loaded: ${errorMessage(e)} You can still add the dashboard of all your clients here.`;
  }
  update();
}

void start();
