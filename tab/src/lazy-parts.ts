/**
 * Screens loaded on first use, so the first paint of the dashboard does not wait for the code of
 * dialogs, the details pane and the task list. Each is also preloaded when the browser is idle.
 */
import { lazy } from 'react';

const loadDetails = () => import('./CompanyDetailsPane.js');
const loadManageClients = () => import('./ManageClients.js');
const loadMyTasks = () => import('./MyTasks.js');

export const CompanyDetailsPane = lazy(() =>
  loadDetails().then((m) => ({ default: m.CompanyDetailsPane })),
);
export const ManageClients = lazy(() =>
  loadManageClients().then((m) => ({ default: m.ManageClients })),
);
export const MyTasks = lazy(() => loadMyTasks().then((m) => ({ default: m.MyTasks })));

/** Fetches the other screens' code in the background once the first screen is up. */
export function preloadLazyParts(): void {
  const start = (): void => {
    void Promise.all([loadDetails(), loadManageClients(), loadMyTasks()]).catch(() => undefined);
  };
  if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 3000 });
  else setTimeout(start, 1000);
}
