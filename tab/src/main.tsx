/**
 * The tab's entry point, kept small on purpose: it finds out where the tab runs (Teams or a plain
 * browser) and asks for the dashboard's data straight away, while the browser is still fetching
 * and compiling React and Fluent UI (`render-app.tsx`, loaded next). The first paint then has
 * the right theme, and the data is often there by the time the page can show it.
 */
import { ApiClient } from './api.js';
import { connectToHost } from './teams-host.js';

async function start(): Promise<void> {
  const container = document.getElementById('root');
  if (!container) return;
  const host = await connectToHost();
  const api = new ApiClient({
    getAuthToken: () => host.getAuthToken(),
    signInNeeded: () => host.needsSignIn(),
  });
  const initialDashboard =
    (host.initialView ?? 'dashboard') === 'dashboard' ? api.dashboard() : null;
  // The dashboard takes this answer (or its error) on its first load.
  initialDashboard?.catch(() => undefined);
  const { renderApp } = await import('./render-app.js');
  renderApp(container, { host, api, initialDashboard });
}

void start();
