/**
 * The dashboard: one row per client company with the data points the accountant chose, the
 * Client Summary menu (Refresh all), filters, multi-select for bulk actions, and the company
 * details pane. The accountant's columns, filters and sort are saved on the server as they
 * change, so they come back next time.
 */
import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  Menu,
  MenuDivider,
  MenuItem,
  MenuItemCheckbox,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  SearchBox,
  Text,
  Toolbar,
  ToolbarDivider,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import type { MenuProps } from '@fluentui/react-components';
import {
  ArrowSyncRegular,
  ChevronDownRegular,
  DeleteRegular,
  DismissRegular,
  FilterRegular,
  MailInboxAddRegular,
  MultiselectLtrRegular,
  PeopleEditRegular,
  PersonAddRegular,
  SearchRegular,
  BuildingMultipleRegular,
} from '@fluentui/react-icons';
import type { ClientId } from '../../src/domain/ids.js';
import type {
  ClientDto,
  DashboardDto,
  DashboardRow,
  DashboardView,
} from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import { useApp } from './app-context.js';
import { ChannelScopeBar } from './ChannelScopeBar.js';
import { ClientFilter } from './ClientFilter.js';
import type { DashboardChannel } from './ChannelScopeBar.js';
import { ColumnPicker } from './ColumnPicker.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import {
  applyView,
  defaultView,
  isFiltered,
  nextSort,
  normalizeView,
  rowKey,
} from './dashboard-model.js';
import type { SortColumn } from './dashboard-model.js';
import { DashboardGrid, useGridStyles } from './DashboardGrid.js';
import { EmptyState } from './EmptyState.js';
import { formatCount, plural, safeHref } from './format.js';
import { CompanyDetailsPane, ManageClients } from './lazy-parts.js';
import type { ManageClientsAction } from './ManageClients.js';
import { LoadState } from './LoadState.js';
import { RefreshAllBar } from './RefreshAllBar.js';
import { useScreenStyles } from './screen-styles.js';
import { useLoad } from './use-load.js';
import { useRefresh } from './use-refresh.js';

const useStyles = makeStyles({
  search: { width: '260px', maxWidth: '100%' },
  clientFilter: { minWidth: '180px' },
  surface: { minHeight: '240px', overflow: 'hidden' },
  selectionBar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorBrandBackground2,
    borderRadius: tokens.borderRadiusMedium,
  },
  skeletonWrap: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXL,
    padding: tokens.spacingHorizontalL,
  },
  skeletonHead: {
    height: '12px',
    width: '60%',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralStencil2,
  },
  skeletonBar: {
    height: '16px',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralStencil1,
  },
  loadingText: { color: tokens.colorNeutralForeground3, alignSelf: 'center' },
  skeletonRow: {
    display: 'grid',
    gridTemplateColumns: '2fr 2fr 1fr 1fr 1fr',
    gap: tokens.spacingHorizontalL,
  },
});

/** The two condition filters, by their name in the view. */
type Condition = 'hasOverdueInvoices' | 'refreshFailed';
const conditionLabels: Record<Condition, string> = {
  hasOverdueInvoices: 'Has overdue invoices',
  refreshFailed: 'Refresh failed',
};

/** Saving the text filter waits until typing pauses. */
const textSaveDelayMs = 600;

export interface DashboardProps {
  /** How the dashboard sits in a channel tab; null in a personal tab or a plain browser. */
  readonly channel: DashboardChannel | null;
}

/**
 * The dashboard of all the viewer's clients, or, in a channel tab limited to one client, of that
 * client alone (its rows filtered here: the API has no per-client dashboard).
 */
export function Dashboard({ channel }: DashboardProps) {
  const screen = useScreenStyles();
  const styles = useStyles();
  const { api, host, notify, now, takeInitialDashboard } = useApp();
  const [view, setView] = useState<DashboardView>(defaultView);
  const [selection, setSelection] = useState<ReadonlySet<string> | null>(null);
  const [details, setDetails] = useState<DashboardRow | null>(null);
  const [manage, setManage] = useState<{ open: boolean; action: ManageClientsAction | null }>({
    open: false,
    action: null,
  });
  const [removal, setRemoval] = useState<{
    ids: string[];
    names: string[];
    companies: number;
  } | null>(null);
  const [clock, setClock] = useState(() => now());
  // Once opened, the pane and the window stay mounted so they can animate closed.
  const detailsUsed = useRef(false);
  const manageUsed = useRef(false);
  if (details) detailsUsed.current = true;
  if (manage.open) manageUsed.current = true;
  const viewLoaded = useRef(false);

  const fetchDashboard = useCallback(
    (signal: AbortSignal) => takeInitialDashboard() ?? api.dashboard(signal),
    [api, takeInitialDashboard],
  );
  const onLoaded = useCallback(
    (dto: DashboardDto) => {
      if (!viewLoaded.current) {
        viewLoaded.current = true;
        setView(normalizeView(dto.view));
      }
      setClock(now());
    },
    [now],
  );
  // A failed reload keeps the numbers already shown, with a warning above them.
  const dashboard = useLoad(fetchDashboard, { keepOnError: true, onLoaded });
  const load = dashboard.reload;
  const loaded = dashboard.state.kind === 'ok' ? dashboard.state.value : null;
  const loadError = dashboard.state.kind === 'ok' ? dashboard.state.reloadError : null;

  // A channel tab limited to one client shows that client's companies only, whatever the
  // accountant's own client filter says.
  const limitedTo = channel?.kind === 'client' ? channel.client : null;
  const rows = useMemo(
    () =>
      loaded && limitedTo
        ? loaded.rows.filter((r) => r.clientId === limitedTo.id)
        : (loaded?.rows ?? null),
    [loaded, limitedTo],
  );
  const effectiveView = useMemo<DashboardView>(() => {
    if (!limitedTo || view.filters.clientId === undefined) return view;
    const { clientId: _ignored, ...filters } = view.filters;
    return { ...view, filters };
  }, [view, limitedTo]);

  // "5 minutes ago" must not stay "just now" forever.
  useEffect(() => {
    const timer = setInterval(() => setClock(now()), 60_000);
    return () => clearInterval(timer);
  }, [now]);

  const refresh = useRefresh(() => void load());

  // Companies never refreshed (the sample client on first run, a client just added elsewhere)
  // get their numbers straight away rather than showing dashes until someone asks.
  const autoRefreshed = useRef(false);
  useEffect(() => {
    if (autoRefreshed.current || !rows) return;
    autoRefreshed.current = true;
    const never = rows.filter((r) => r.status === 'never');
    if (never.length > 0) refresh.refreshRows(never, 'Fetching numbers for new companies');
  }, [rows, refresh]);

  // Views are saved one after another, so an older save never lands after a newer one.
  const saveChain = useRef<Promise<unknown>>(Promise.resolve());
  const saveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pendingView = useRef<DashboardView | null>(null);
  const flushSave = useCallback(() => {
    clearTimeout(saveTimer.current);
    const toSave = pendingView.current;
    pendingView.current = null;
    if (!toSave) return;
    saveChain.current = saveChain.current
      .then(() => api.saveView(toSave))
      .catch((e: unknown) => notify('error', 'Your view could not be saved', errorMessage(e)));
  }, [api, notify]);

  const changeView = useCallback(
    (next: DashboardView, debounce = false) => {
      setView(next);
      pendingView.current = next;
      clearTimeout(saveTimer.current);
      if (debounce) saveTimer.current = setTimeout(flushSave, textSaveDelayMs);
      else flushSave();
    },
    [flushSave],
  );

  useEffect(() => () => flushSave(), [flushSave]);

  const shown = useMemo(() => (rows ? applyView(rows, effectiveView) : []), [rows, effectiveView]);

  const clients = useMemo(() => {
    const byId = new Map<ClientId, string>();
    for (const r of rows ?? []) byId.set(r.clientId, r.clientName);
    return [...byId.entries()]
      .map(([id, name]) => ({ id, name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [rows]);

  const sample = useMemo(() => rows?.find((r) => r.isSample) ?? null, [rows]);

  const onSort = useCallback(
    (column: SortColumn) => changeView({ ...view, sort: nextSort(view.sort, column) }),
    [changeView, view],
  );

  // Hiding the column the rows are sorted by would leave an order nobody can see.
  const onColumnsChange = (columns: DashboardView['columns']): void => {
    const sortColumn = view.sort.column;
    const sortHidden =
      sortColumn !== 'clientName' && sortColumn !== 'companyName' && !columns.includes(sortColumn);
    changeView({ ...view, columns, sort: sortHidden ? defaultView.sort : view.sort });
  };

  const onToggleSelect = useCallback((row: DashboardRow) => {
    setSelection((prev) => {
      const next = new Set(prev ?? []);
      const key = rowKey(row);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  const onSelectAll = useCallback(
    (select: boolean) => setSelection(select ? new Set(shown.map(rowKey)) : new Set()),
    [shown],
  );

  const onGoToClient = useCallback(
    (row: DashboardRow) => {
      const href = safeHref(row.goToClientUrl);
      if (href) host.openLink(href);
      else
        notify('error', `The Client URL of ${row.clientName} cannot be opened`, row.goToClientUrl);
    },
    [host, notify],
  );

  // Closing the pane puts focus back on the company it was opened from, as a dialog should;
  // the grid may have re-rendered that row meanwhile, so it is found again by its key.
  const openDetails = useCallback((row: DashboardRow) => setDetails(row), []);
  const closeDetails = (): void => {
    const key = details ? rowKey(details) : null;
    setDetails(null);
    if (!key) return;
    requestAnimationFrame(() => {
      document
        .querySelector<HTMLElement>(
          `[data-row-key="${CSS.escape(key)}"] [data-col="companyName"] button`,
        )
        ?.focus();
    });
  };

  const selectedRows = useMemo(
    () => (selection ? (rows ?? []).filter((r) => selection.has(rowKey(r))) : []),
    [rows, selection],
  );

  const askRemoveClients = (fromRows: readonly DashboardRow[]): void => {
    const byId = new Map<string, string>();
    for (const r of fromRows) byId.set(r.clientId, r.clientName);
    const ids = [...byId.keys()];
    const companies = (rows ?? []).filter((r) => byId.has(r.clientId)).length;
    setRemoval({ ids, names: [...byId.values()], companies });
  };

  const removeClients = async (ids: readonly string[]): Promise<void> => {
    for (const id of ids) await api.removeClient(id);
    notify('success', ids.length === 1 ? 'Client removed' : `${ids.length} clients removed`);
    setSelection(null);
    await load();
  };

  const onClientAdded = (client: ClientDto): void => {
    void load();
    refresh.refreshClient(client);
  };

  const conditions: Condition[] = (Object.keys(conditionLabels) as Condition[]).filter(
    (c) => view.filters[c] === true,
  );
  const onConditionsChange: MenuProps['onCheckedValueChange'] = (_, data) => {
    if (data.name !== 'conditions') return;
    const checked = new Set(data.checkedItems);
    const filters = { ...view.filters };
    for (const c of Object.keys(conditionLabels) as Condition[]) {
      if (checked.has(c)) filters[c] = true;
      else delete filters[c];
    }
    changeView({ ...view, filters });
  };

  const clientFilter = view.filters.clientId ?? null;
  const filtered = isFiltered(effectiveView);
  // A one-client tab ignores the accountant's client filter, so clearing leaves it for their own tab.
  const clearFilters = (): void =>
    changeView({
      ...view,
      text: '',
      filters: limitedTo && clientFilter ? { clientId: clientFilter } : {},
    });
  const openManage = (action: ManageClientsAction | null = null): void =>
    setManage({ open: true, action });
  const barRunning = refresh.bar !== null && !refresh.bar.progress.finished;
  // In a shared channel, editing one's own client list is kept out of a one-client tab, and
  // named as one's own elsewhere.
  const canManage = !limitedTo;
  const manageLabel = channel ? 'Manage my clients' : 'Manage Clients';

  return (
    <div className={screen.root}>
      {channel ? <ChannelScopeBar channel={channel} /> : null}
      <Toolbar className={screen.toolbar} aria-label="Dashboard">
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button appearance="primary" icon={<ChevronDownRegular />} iconPosition="after">
              Client Summary
            </Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem
                icon={<ArrowSyncRegular />}
                disabled={barRunning || !rows?.length}
                onClick={limitedTo ? () => refresh.refreshClient(limitedTo) : refresh.refreshAll}
              >
                {limitedTo ? `Refresh all of ${limitedTo.name}` : 'Refresh all'}
              </MenuItem>
              <MenuItem
                icon={<MultiselectLtrRegular />}
                disabled={!rows?.length}
                onClick={() => setSelection(new Set())}
              >
                Select companies
              </MenuItem>
              {canManage ? (
                <>
                  <MenuDivider />
                  <MenuItem icon={<PeopleEditRegular />} onClick={() => openManage()}>
                    {channel ? 'Manage my clients' : 'Manage clients'}
                  </MenuItem>
                </>
              ) : null}
            </MenuList>
          </MenuPopover>
        </Menu>
        {canManage ? (
          <Button appearance="subtle" icon={<PeopleEditRegular />} onClick={() => openManage()}>
            {manageLabel}
          </Button>
        ) : null}
        <ColumnPicker columns={view.columns} onChange={onColumnsChange} />
        <ToolbarDivider />
        <SearchBox
          className={styles.search}
          placeholder="Filter by client or company"
          aria-label="Filter by client or company name"
          value={view.text}
          contentBefore={<SearchRegular />}
          onChange={(_, d) => changeView({ ...view, text: d.value }, true)}
        />
        <Menu
          checkedValues={{ conditions }}
          onCheckedValueChange={onConditionsChange}
          persistOnItemClick
        >
          <MenuTrigger disableButtonEnhancement>
            <Button appearance={conditions.length ? 'outline' : 'subtle'} icon={<FilterRegular />}>
              {conditions.length ? `Filters (${conditions.length})` : 'Filters'}
            </Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList aria-label="Show only companies that">
              {(Object.keys(conditionLabels) as Condition[]).map((c) => (
                <MenuItemCheckbox key={c} name="conditions" value={c}>
                  {conditionLabels[c]}
                </MenuItemCheckbox>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
        {limitedTo ? null : (
          <ClientFilter
            className={styles.clientFilter}
            clients={clients}
            value={clientFilter}
            onChange={(clientId) => {
              const filters = { ...view.filters };
              if (clientId) filters.clientId = clientId;
              else delete filters.clientId;
              changeView({ ...view, filters });
            }}
          />
        )}
        {filtered ? (
          <Button appearance="transparent" icon={<DismissRegular />} onClick={clearFilters}>
            Clear filters
          </Button>
        ) : null}
        {rows ? (
          <Text className={screen.count} aria-live="polite" data-testid="row-count">
            {filtered
              ? `Showing ${formatCount(shown.length)} of ${plural(rows.length, 'company', 'companies')}`
              : plural(rows.length, 'company', 'companies')}
          </Text>
        ) : null}
      </Toolbar>

      {sample ? (
        <MessageBar intent="info" data-testid="sample-note">
          <MessageBarBody>
            <MessageBarTitle>Sample data</MessageBarTitle>
            {sample.clientName} has made-up numbers to show how the dashboard works. Remove it once
            your own clients are here.
          </MessageBarBody>
          {canManage ? (
            <MessageBarActions>
              <Button onClick={() => askRemoveClients(rows?.filter((r) => r.isSample) ?? [])}>
                Remove sample client
              </Button>
            </MessageBarActions>
          ) : null}
        </MessageBar>
      ) : null}

      {refresh.bar ? <RefreshAllBar job={refresh.bar} onDismiss={refresh.dismissBar} /> : null}

      {loadError && rows ? (
        <MessageBar intent="warning">
          <MessageBarBody>
            <MessageBarTitle>The dashboard could not be reloaded</MessageBarTitle>
            {loadError} The numbers shown are from the last successful load.
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void load()}>Try again</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}

      {selection ? (
        <div className={styles.selectionBar} role="region" aria-label="Selected companies">
          <Text weight="semibold">{plural(selection.size, 'company', 'companies')} selected</Text>
          <Button
            icon={<ArrowSyncRegular />}
            disabledFocusable={selectedRows.length === 0 || barRunning}
            onClick={() => refresh.refreshRows(selectedRows)}
          >
            Refresh selected
          </Button>
          {canManage ? (
            <Button
              icon={<DeleteRegular />}
              disabledFocusable={selectedRows.length === 0}
              onClick={() => askRemoveClients(selectedRows)}
            >
              Remove clients…
            </Button>
          ) : null}
          <Button appearance="subtle" onClick={() => setSelection(null)}>
            Done
          </Button>
        </div>
      ) : null}

      <div className={mergeClasses(screen.surface, styles.surface)}>
        <LoadState
          state={dashboard.state}
          loading={<GridSkeleton />}
          failedTitle="The dashboard could not be loaded"
          failedTestId="dashboard-error"
          onRetry={() => void load()}
        >
          {() =>
            rows?.length === 0 ? (
              limitedTo ? (
                <EmptyState
                  icon={<BuildingMultipleRegular />}
                  title={`No companies of ${limitedTo.name} yet`}
                  testId="dashboard-client-empty"
                  actions={
                    <Button
                      icon={<ArrowSyncRegular />}
                      disabledFocusable={barRunning}
                      onClick={() => refresh.refreshClient(limitedTo)}
                    >
                      Refresh {limitedTo.name}
                    </Button>
                  }
                >
                  Its companies show here once they have been fetched from its Business Central.
                </EmptyState>
              ) : (
                <EmptyState
                  icon={<BuildingMultipleRegular />}
                  title="No clients yet"
                  testId="dashboard-empty"
                  actions={
                    <>
                      <Button
                        appearance="primary"
                        icon={<PersonAddRegular />}
                        onClick={() => openManage('new')}
                      >
                        Add a client
                      </Button>
                      <Button
                        icon={<MailInboxAddRegular />}
                        onClick={() => openManage('invitation')}
                      >
                        Add from invitation
                      </Button>
                    </>
                  }
                >
                  Add a client with the address of their Business Central, or paste the link from
                  the invitation e-mail they sent you. Each of their companies gets a row here.
                </EmptyState>
              )
            ) : shown.length === 0 ? (
              <EmptyState
                icon={<FilterRegular />}
                title="No companies match your filters"
                testId="dashboard-no-match"
                actions={<Button onClick={clearFilters}>Clear filters</Button>}
              >
                {plural(rows?.length ?? 0, 'company is', 'companies are')} hidden by the filters
                above.
              </EmptyState>
            ) : (
              <DashboardGrid
                rows={shown}
                columns={view.columns}
                sort={view.sort}
                onSort={onSort}
                selection={selection}
                onToggleSelect={onToggleSelect}
                onSelectAll={onSelectAll}
                refreshing={refresh.refreshing}
                now={clock}
                onOpenDetails={openDetails}
                onRefresh={refresh.refreshRow}
                onGoToClient={onGoToClient}
                onSelectMore={onToggleSelect}
              />
            )
          }
        </LoadState>
      </div>

      <Suspense fallback={null}>
        {details || detailsUsed.current ? (
          <CompanyDetailsPane row={details} onClose={closeDetails} />
        ) : null}
        {manage.open || manageUsed.current ? (
          <ManageClients
            open={manage.open}
            initialAction={manage.action}
            channelNote={channel !== null}
            onClose={() => setManage({ open: false, action: null })}
            onChanged={() => void load()}
            onAdded={onClientAdded}
          />
        ) : null}
      </Suspense>

      <ConfirmDialog
        open={removal !== null}
        title={
          removal && removal.names.length === 1
            ? `Remove ${removal.names[0] ?? 'client'}?`
            : `Remove ${removal?.names.length ?? 0} clients?`
        }
        confirmLabel="Remove"
        onClose={() => setRemoval(null)}
        onConfirm={() => removeClients(removal?.ids ?? [])}
      >
        {removal ? (
          <>
            {removal.names.length > 1 ? <p>{removal.names.join(', ')}</p> : null}
            <p>
              {plural(removal.companies, 'company leaves', 'companies leave')} your dashboard.
              Nothing changes in the client&apos;s Business Central, and you can add the client
              again later.
            </p>
          </>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}

/** Placeholder rows while the first data comes: still, so it costs the page no repaints. */
function GridSkeleton() {
  const styles = useStyles();
  // Compiling the grid's styles now, while waiting for the network, saves that time later.
  useGridStyles();
  return (
    <div className={styles.skeletonWrap} role="status" aria-label="Loading your clients">
      <div className={styles.skeletonRow} aria-hidden>
        {[0, 1, 2, 3, 4].map((c) => (
          <span key={c} className={styles.skeletonHead} />
        ))}
      </div>
      {Array.from({ length: 10 }, (_, i) => (
        <div key={i} className={styles.skeletonRow} aria-hidden>
          {[0, 1, 2, 3, 4].map((c) => (
            <span key={c} className={styles.skeletonBar} />
          ))}
        </div>
      ))}
      <Text className={styles.loadingText}>Loading your clients…</Text>
    </div>
  );
}
