/**
 * What every screen needs from the shell: the API client, the host (Teams or browser) and a way
 * to tell the user something happened (a toast).
 */
import { createContext, useContext } from 'react';
import type { DashboardDto } from '../../src/hub/api-types.js';
import type { ApiClient } from './api.js';
import type { TeamsHost } from './teams-host.js';

export type NoticeIntent = 'success' | 'error' | 'warning' | 'info';

export interface AppServices {
  readonly api: ApiClient;
  readonly host: TeamsHost;
  /** Shows a short message; `body` is optional detail (for errors, the server's message). */
  notify(intent: NoticeIntent, title: string, body?: string): void;
  /** The clock, injected so tests and screenshots can be stable. */
  now(): Date;
  /** The dashboard requested at start-up, handed out once; null afterwards. */
  takeInitialDashboard(): Promise<DashboardDto> | null;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp() outside <AppContext.Provider>');
  return services;
}
