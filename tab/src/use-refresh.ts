/**
 * Starts refresh jobs and follows their progress: one job at a time in the progress bar
 * (Refresh all, or a bulk refresh of selected rows), any number of single-row refreshes with a
 * spinner in their row. The dashboard is reloaded while a long job runs and when any job ends.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClientId } from '../../src/domain/ids.js';
import type { DashboardRow, RefreshProgress, RefreshScope } from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import { useApp } from './app-context.js';
import { rowKey } from './dashboard-model.js';

/** The job the progress bar shows. */
export interface BarJob {
  /** What was asked for, e.g. "Refresh all". */
  readonly label: string;
  readonly progress: RefreshProgress;
}

export interface RefreshControls {
  readonly bar: BarJob | null;
  /** Keys ({@link rowKey}) of rows being refreshed. */
  readonly refreshing: ReadonlySet<string>;
  refreshAll(): void;
  /** One row: spinner in the row, a toast if it fails. */
  refreshRow(row: DashboardRow): void;
  /** Several rows: spinners and the progress bar (labelled `label`, or by the count). */
  refreshRows(rows: readonly DashboardRow[], label?: string): void;
  /** A newly added client: all its companies, in the progress bar. */
  refreshClient(client: { readonly id: ClientId; readonly name: string }): void;
  dismissBar(): void;
}

/** While a long job runs, rows that finished are shown at most this often. */
const reloadEveryMs = 2000;

export function useRefresh(reload: () => void): RefreshControls {
  const { api, notify } = useApp();
  const [bar, setBar] = useState<BarJob | null>(null);
  const [refreshing, setRefreshing] = useState<ReadonlySet<string>>(new Set());
  const aborter = useRef(new AbortController());
  const reloadRef = useRef(reload);
  reloadRef.current = reload;

  useEffect(() => {
    const controller = new AbortController();
    aborter.current = controller;
    return () => controller.abort();
  }, []);

  const mark = useCallback((keys: readonly string[], on: boolean) => {
    setRefreshing((prev) => {
      const next = new Set(prev);
      for (const k of keys) {
        if (on) next.add(k);
        else next.delete(k);
      }
      return next;
    });
  }, []);

  const run = useCallback(
    async (scope: RefreshScope, label: string | null, keys: readonly string[]) => {
      const signal = aborter.current.signal;
      mark(keys, true);
      try {
        const first = await api.startRefresh(scope);
        if (label) setBar({ label, progress: first });
        let lastReload = Date.now();
        let lastDone = first.done;
        const final = await api.followRefresh(
          first,
          (p) => {
            if (signal.aborted) return;
            if (label) setBar({ label, progress: p });
            if (p.done !== lastDone && Date.now() - lastReload >= reloadEveryMs) {
              lastReload = Date.now();
              reloadRef.current();
            }
            lastDone = p.done;
          },
          signal,
        );
        if (signal.aborted) return;
        if (label) setBar({ label, progress: final });
        else if (final.failed > 0) {
          const failure = final.failures[0];
          notify(
            'error',
            failure ? `Could not refresh ${failure.companyName}` : 'Refresh failed',
            failure?.message,
          );
        }
      } catch (e) {
        if (signal.aborted) return;
        notify(
          'error',
          label ? `${label} could not start` : 'Refresh could not start',
          errorMessage(e),
        );
        if (label) setBar(null);
      } finally {
        if (!signal.aborted) {
          mark(keys, false);
          reloadRef.current();
        }
      }
    },
    [api, mark, notify],
  );

  const refreshAll = useCallback(() => void run({ kind: 'all' }, 'Refresh all', []), [run]);

  const refreshRow = useCallback(
    (row: DashboardRow) =>
      void run(
        { kind: 'companies', companies: [{ clientId: row.clientId, companyId: row.companyId }] },
        null,
        [rowKey(row)],
      ),
    [run],
  );

  const refreshRows = useCallback(
    (rows: readonly DashboardRow[], label?: string) => {
      if (rows.length === 0) return;
      void run(
        {
          kind: 'companies',
          companies: rows.map((r) => ({ clientId: r.clientId, companyId: r.companyId })),
        },
        label ?? (rows.length === 1 ? 'Refresh 1 company' : `Refresh ${rows.length} companies`),
        rows.map(rowKey),
      );
    },
    [run],
  );

  const refreshClient = useCallback(
    (client: { readonly id: ClientId; readonly name: string }) =>
      void run({ kind: 'client', clientId: client.id }, `Refresh ${client.name}`, []),
    [run],
  );

  const dismissBar = useCallback(() => setBar(null), []);

  return { bar, refreshing, refreshAll, refreshRow, refreshRows, refreshClient, dismissBar };
}
