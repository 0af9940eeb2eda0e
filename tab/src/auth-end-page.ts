/**
 * `auth-end.html`: where Microsoft Entra sends the sign-in pop-up back. It reads the answer from
 * the address, removes it from the address bar (an authorization code is a credential, and it is
 * not needed: the consent was the point), and tells Teams how it went. Outside Teams it says the
 * window can be closed.
 */
import { readAuthResult } from './auth-flow.js';
import type { AuthResult } from './auth-flow.js';
import { takeAuthState } from './auth-state.js';
import { withTimeout } from './host-params.js';
import { byId } from './page-dom.js';
import { mightBeTeamsWindow, teamsInitTimeoutMs } from './teams-host.js';

function describe(result: AuthResult): string {
  switch (result.kind) {
    case 'success':
      return 'You are signed in.';
    case 'failure':
      return `Signing in did not finish: ${result.reason}.`;
    case 'none':
      return 'This page finishes signing in to Accountant Hub; there is nothing to finish here.';
  }
}

async function start(): Promise<void> {
  const result = readAuthResult(window.location.search, window.location.hash, takeAuthState());
  window.history.replaceState(null, '', window.location.pathname);
  byId('result').textContent = describe(result);
  byId('result').dataset.kind = result.kind;
  if (!mightBeTeamsWindow(window)) return;
  try {
    const { app, authentication } = await import('@microsoft/teams-js');
    await withTimeout(app.initialize(), teamsInitTimeoutMs, 'Teams');
    if (result.kind === 'success') authentication.notifySuccess();
    else authentication.notifyFailure(result.kind === 'failure' ? result.reason : 'no_result');
  } catch {
    // Opened by something other than Teams: the page's message is all there is to do.
  }
}

void start();
