/**
 * My User Tasks: every task assigned to me across all clients, sorted by due date unless I choose
 * client or priority, overdue ones marked, filterable by client and due window. Each task opens
 * in Business Central, and "Mark complete" completes it there (through the server) and takes it
 * off the list.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Badge,
  Button,
  Dropdown,
  Link,
  Option,
  Spinner,
  Text,
  Toolbar,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowDownRegular,
  ArrowSyncRegular,
  ArrowUpRegular,
  CheckmarkRegular,
  TaskListSquareLtrRegular,
} from '@fluentui/react-icons';
import type { ClientDto, TaskQuery, TaskRow, TaskSort } from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import { useApp } from './app-context.js';
import { ChannelScopeBar } from './ChannelScopeBar.js';
import type { DashboardChannel } from './ChannelScopeBar.js';
import { ClientFilter } from './ClientFilter.js';
import { EmptyState, LoadingState } from './EmptyState.js';
import { formatDate, plural, priorityLabel, safeHref } from './format.js';
import { LoadState } from './LoadState.js';
import { RefreshAllBar } from './RefreshAllBar.js';
import { useScreenStyles } from './screen-styles.js';
import { useLoad } from './use-load.js';
import { useRefresh } from './use-refresh.js';

type DueWindow = NonNullable<TaskQuery['due']>;

const dueLabels: Record<DueWindow, string> = {
  all: 'Any time',
  overdue: 'Overdue',
  today: 'Due today',
  'this-week': 'Due this week',
};

const sortLabels: Record<TaskSort, string> = {
  dueDate: 'Due date',
  client: 'Client',
  priority: 'Priority',
};

/** Rows rendered at first; more on request keeps a long list quick to show. */
const pageSize = 200;

const useStyles = makeStyles({
  label: { color: tokens.colorNeutralForeground3 },
  dropdown: { minWidth: '150px' },
  surface: { minHeight: 0, overflow: 'auto' },
  table: { width: '100%', borderCollapse: 'collapse', fontSize: tokens.fontSizeBase300 },
  th: {
    position: 'sticky',
    top: 0,
    zIndex: 1,
    textAlign: 'start',
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground2,
    backgroundColor: tokens.colorNeutralBackground2,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    whiteSpace: 'nowrap',
  },
  sortHeader: {
    minWidth: 0,
    padding: 0,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground2,
  },
  td: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    verticalAlign: 'middle',
  },
  overdueRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  overdue: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  due: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    whiteSpace: 'nowrap',
  },
  secondary: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  more: { alignSelf: 'center', margin: tokens.spacingVerticalM },
  high: { color: tokens.colorPaletteDarkOrangeForeground1, fontWeight: tokens.fontWeightSemibold },
});

function taskKey(t: TaskRow): string {
  return `${t.clientId}/${t.companyId}/${t.id}`;
}

export interface MyTasksProps {
  /** How the list sits in a channel tab; null in a personal tab or a plain browser. */
  readonly channel: DashboardChannel | null;
}

/**
 * The viewer's open user tasks across their clients, or, in a channel tab limited to one client,
 * in that client only (the client filter then has nothing to choose).
 */
export function MyTasks({ channel }: MyTasksProps) {
  const screen = useScreenStyles();
  const styles = useStyles();
  const { api, host, notify } = useApp();
  const [sort, setSort] = useState<TaskSort>('dueDate');
  const [direction, setDirection] = useState<'asc' | 'desc'>('asc');
  const [chosenClientId, setClientId] = useState<ClientDto['id'] | null>(null);
  const limitedTo = channel?.kind === 'client' ? channel.client : null;
  const clientId = limitedTo ? limitedTo.id : chosenClientId;
  const [due, setDue] = useState<DueWindow>('all');
  const [clients, setClients] = useState<ClientDto[]>([]);
  const [completing, setCompleting] = useState<ReadonlySet<string>>(new Set());
  const [limit, setLimit] = useState(pageSize);

  useEffect(() => {
    api.listClients().then(setClients, () => undefined); // The client filter just stays short.
  }, [api]);

  // Opened first (the personal tab "My User Tasks"), companies never refreshed have no tasks
  // yet: fetch them, as the dashboard would, and show the list again when they are in.
  const fetchTasks = useCallback(
    (signal: AbortSignal) =>
      api.tasks({ sort, direction, due, ...(clientId ? { clientId } : {}) }, signal),
    [api, sort, direction, clientId, due],
  );
  const onLoaded = useCallback(() => setLimit(pageSize), []);
  // Other filters ask for another list: a failure shows as such, never the old list.
  const load = useLoad(fetchTasks, { onLoaded });
  const { reload, update } = load;

  const refresh = useRefresh(() => void reload());
  const { refreshRows } = refresh;
  useEffect(() => {
    let live = true;
    api.dashboard().then(
      (d) => {
        const never = d.rows.filter((r) => r.status === 'never');
        if (live && never.length > 0) refreshRows(never, 'Fetching tasks from new companies');
      },
      () => undefined, // The task list reports its own errors.
    );
    return () => {
      live = false;
    };
  }, [api, refreshRows]);

  const complete = useCallback(
    async (task: TaskRow) => {
      const key = taskKey(task);
      setCompleting((s) => new Set(s).add(key));
      try {
        await api.completeTask(task.clientId, task.companyId, task.id);
        update((tasks) => tasks.filter((t) => taskKey(t) !== key));
        notify(
          'success',
          'Task completed',
          `“${task.title}” is marked complete in ${task.companyName}.`,
        );
      } catch (e) {
        notify('error', `“${task.title}” was not completed`, errorMessage(e));
      } finally {
        setCompleting((s) => {
          const next = new Set(s);
          next.delete(key);
          return next;
        });
      }
    },
    [api, notify, update],
  );

  const onSortHeader = (column: TaskSort): void => {
    if (column === sort) setDirection((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      setSort(column);
      setDirection(column === 'priority' ? 'desc' : 'asc');
    }
  };

  const tasks = load.state.kind === 'ok' ? load.state.value : [];
  const overdueCount = useMemo(() => tasks.filter((t) => t.isOverdue).length, [tasks]);

  const header = (column: TaskSort | null, label: string) => {
    if (!column)
      return (
        <th className={styles.th} scope="col">
          {label}
        </th>
      );
    const sorted = sort === column;
    const Arrow = direction === 'asc' ? ArrowUpRegular : ArrowDownRegular;
    return (
      <th
        className={styles.th}
        scope="col"
        aria-sort={sorted ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}
      >
        <Button
          appearance="transparent"
          className={styles.sortHeader}
          icon={sorted ? <Arrow /> : undefined}
          iconPosition="after"
          onClick={() => onSortHeader(column)}
        >
          {label}
        </Button>
      </th>
    );
  };

  return (
    <div className={screen.root}>
      {channel ? <ChannelScopeBar channel={channel} /> : null}
      <Toolbar className={screen.toolbar} aria-label="Task list options">
        <Text className={styles.label} id="task-sort-label">
          Sort by
        </Text>
        <Dropdown
          className={styles.dropdown}
          aria-labelledby="task-sort-label"
          value={sortLabels[sort]}
          selectedOptions={[sort]}
          onOptionSelect={(_, d) => {
            const next = d.optionValue as TaskSort | undefined;
            if (next) {
              setSort(next);
              setDirection(next === 'priority' ? 'desc' : 'asc');
            }
          }}
        >
          {(Object.keys(sortLabels) as TaskSort[]).map((s) => (
            <Option key={s} value={s}>
              {sortLabels[s]}
            </Option>
          ))}
        </Dropdown>
        <Button
          appearance="subtle"
          icon={direction === 'asc' ? <ArrowUpRegular /> : <ArrowDownRegular />}
          onClick={() => setDirection((d) => (d === 'asc' ? 'desc' : 'asc'))}
          aria-label={
            direction === 'asc'
              ? 'Ascending; switch to descending'
              : 'Descending; switch to ascending'
          }
        />
        {limitedTo ? null : (
          <ClientFilter
            className={styles.dropdown}
            clients={clients}
            value={clientId}
            onChange={setClientId}
          />
        )}
        <Dropdown
          className={styles.dropdown}
          aria-label="Due"
          value={dueLabels[due]}
          selectedOptions={[due]}
          onOptionSelect={(_, d) => setDue((d.optionValue as DueWindow | undefined) ?? 'all')}
        >
          {(Object.keys(dueLabels) as DueWindow[]).map((w) => (
            <Option key={w} value={w}>
              {dueLabels[w]}
            </Option>
          ))}
        </Dropdown>
        <Button appearance="subtle" icon={<ArrowSyncRegular />} onClick={() => void reload()}>
          Reload
        </Button>
        {load.state.kind === 'ok' ? (
          <Text className={screen.count} aria-live="polite" data-testid="task-count">
            {plural(tasks.length, 'task', 'tasks')}
            {overdueCount ? `, ${overdueCount} overdue` : ''}
          </Text>
        ) : null}
      </Toolbar>
      {refresh.bar ? <RefreshAllBar job={refresh.bar} onDismiss={refresh.dismissBar} /> : null}
      <div className={mergeClasses(screen.surface, styles.surface)}>
        <LoadState
          state={load.state}
          loading={<LoadingState label="Loading your tasks…" />}
          failedTitle="Your tasks could not be loaded"
          onRetry={() => void reload()}
        >
          {() =>
            tasks.length === 0 ? (
              <EmptyState
                icon={<TaskListSquareLtrRegular />}
                title={due === 'all' && !clientId ? 'No tasks assigned to you' : 'No tasks match'}
              >
                {due === 'all' && !clientId
                  ? 'Tasks that your clients assign to you in Business Central show up here after a refresh.'
                  : 'Try another client or due window.'}
              </EmptyState>
            ) : (
              <>
                <table className={styles.table} aria-label="My user tasks" data-testid="task-table">
                  <thead>
                    <tr>
                      <th className={styles.th} scope="col">
                        Task
                      </th>
                      {header('client', 'Client')}
                      <th className={styles.th} scope="col">
                        Company
                      </th>
                      {header('dueDate', 'Due date')}
                      {header('priority', 'Priority')}
                      <th className={styles.th} scope="col">
                        Assigned by
                      </th>
                      <th className={styles.th} scope="col">
                        <span className={styles.secondary}>Action</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {tasks.slice(0, limit).map((t) => {
                      const key = taskKey(t);
                      const href = safeHref(t.link);
                      const busy = completing.has(key);
                      return (
                        <tr
                          key={key}
                          className={t.isOverdue ? styles.overdueRow : undefined}
                          data-overdue={t.isOverdue}
                        >
                          <td className={styles.td}>
                            {href ? (
                              <Link
                                href={href}
                                target="_blank"
                                rel="noopener noreferrer"
                                onClick={(e) => {
                                  e.preventDefault();
                                  host.openLink(href);
                                }}
                              >
                                {t.title}
                              </Link>
                            ) : (
                              t.title
                            )}
                          </td>
                          <td className={styles.td}>{t.clientName}</td>
                          <td className={styles.td}>{t.companyName}</td>
                          <td className={styles.td}>
                            <span
                              className={mergeClasses(styles.due, t.isOverdue && styles.overdue)}
                            >
                              {t.dueAt ? (
                                formatDate(t.dueAt)
                              ) : (
                                <span className={styles.secondary}>No due date</span>
                              )}
                              {t.isOverdue ? (
                                <Badge appearance="filled" color="danger" size="small">
                                  {plural(t.daysOverdue, 'day', 'days')} overdue
                                </Badge>
                              ) : null}
                            </span>
                          </td>
                          <td
                            className={mergeClasses(
                              styles.td,
                              t.priority === 'high' && styles.high,
                            )}
                          >
                            {priorityLabel(t.priority)}
                          </td>
                          <td className={styles.td}>{t.createdBy}</td>
                          <td className={styles.td}>
                            <Button
                              size="small"
                              icon={busy ? <Spinner size="tiny" /> : <CheckmarkRegular />}
                              disabledFocusable={busy}
                              onClick={() => void complete(t)}
                              aria-label={`Mark “${t.title}” complete`}
                            >
                              Mark complete
                            </Button>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
                {tasks.length > limit ? (
                  <Button className={styles.more} onClick={() => setLimit((l) => l + pageSize)}>
                    Show {Math.min(pageSize, tasks.length - limit)} more of {tasks.length - limit}
                  </Button>
                ) : null}
              </>
            )
          }
        </LoadState>
      </div>
    </div>
  );
}
