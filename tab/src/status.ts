/** Words for a row's freshness, shared by the grid, the details pane and screen-reader text. */
import type { DashboardRow, RowStatus } from '../../src/hub/api-types.js';
import { formatRelative } from './format.js';

export function statusLabel(status: RowStatus): string {
  switch (status) {
    case 'fresh':
      return 'Fresh';
    case 'stale':
      return 'Stale';
    case 'failed':
      return 'Failed';
    case 'never':
      return 'Not refreshed yet';
  }
}

/** "Fresh: refreshed 5 minutes ago", "Failed: The client's Business Central did not answer." */
export function statusText(row: DashboardRow, now: Date): string {
  const when = row.refreshedAt ? `refreshed ${formatRelative(row.refreshedAt, now)}` : null;
  const parts = [when, row.statusReason].filter((p): p is string => Boolean(p));
  return parts.length ? `${statusLabel(row.status)}: ${parts.join('. ')}` : statusLabel(row.status);
}
