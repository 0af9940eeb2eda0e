/**
 * `auth-start.html`: the first page of the sign-in (consent) pop-up the tab opens through teams-js
 * `authentication.authenticate`. It sends the user to Microsoft Entra's authorize endpoint for
 * the app's `access_as_user` scope (see `auth-flow.ts`), or explains why it cannot.
 */
import { authorizeUrl, newAuthState, parseSignInParams } from './auth-flow.js';
import { withTimeout } from './host-params.js';
import { byId } from './page-dom.js';
import { saveAuthState } from './auth-state.js';
import { mightBeTeamsWindow, teamsInitTimeoutMs } from './teams-host.js';

async function start(): Promise<void> {
  const parsed = parseSignInParams(window.location.search);
  if (parsed.ok) {
    const state = newAuthState();
    saveAuthState(state);
    byId('message').textContent = 'Taking you to Microsoft to sign in…';
    window.location.assign(authorizeUrl(window.location.origin, parsed.value, state));
    return;
  }
  byId('message').textContent = parsed.reason;
  byId('help').hidden = false;
  // In the Teams pop-up, tell the tab at once rather than leave the user with a dead end.
  if (!mightBeTeamsWindow(window)) return;
  try {
    const { app, authentication } = await import('@microsoft/teams-js');
    await withTimeout(app.initialize(), teamsInitTimeoutMs, 'Teams');
    authentication.notifyFailure('missing-client-id');
  } catch {
    // Not a Teams pop-up after all: the message on the page is the whole answer.
  }
}

void start();
