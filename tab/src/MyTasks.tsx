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
  ErrorCircleRegular,
} from '@fluentui/react-icons';
import type { ClientDto, TaskQuery, TaskRow, TaskSort } from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import { useApp } from './app-context.js';
import { EmptyState, LoadingState } from './EmptyState.js';
import { formatDate, plural, priorityLabel, safeHref } from './format.js';
import { RefreshAllBar } from './RefreshAllBar.js';
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
  root: {
    flex: 1,
    minHeight: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
  },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: 0,
  },
  label: { color: tokens.colorNeutralForeground3 },
  dropdown: { minWidth: '150px' },
  count: { marginLeft: 'auto', color: tokens.colorNeutralForeground3 },
  surface: {
    flex: 1,
    minHeight: 0,
    overflow: 'auto',
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow2,
    display: 'flex',
    flexDirection: 'column',
  },
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

type Load =
  { kind: 'loading' } | { kind: 'ok'; tasks: TaskRow[] } | { kind: 'failed'; message: string };

function taskKey(t: TaskRow): string {
  return `${t.clientId}/${t.companyId}/${t.id}`;
}

export function MyTasks() {
  const styles = useStyles();
  const { api, host, notify } = useApp();
  const [sort, setSort] = useState<TaskSort>('dueDate');
  const [direction, setDirection] = useState<'asc' | 'desc'>('asc');
  const [clientId, setClientId] = useState<ClientDto['id'] | null>(null);
  const [due, setDue] = useState<DueWindow>('all');
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [clients, setClients] = useState<ClientDto[]>([]);
  const [completing, setCompleting] = useState<ReadonlySet<string>>(new Set());
  const [limit, setLimit] = useState(pageSize);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    api.listClients().then(setClients, () => undefined); // The client filter just stays short.
  }, [api]);

  // Opened first (the personal tab "My User Tasks"), companies never refreshed have no tasks
  // yet: fetch them, as the dashboard would, and show the list again when they are in.
  const refresh = useRefresh(() => setAttempt((a) => a + 1));
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

  useEffect(() => {
    const controller = new AbortController();
    setLoad((l) => (l.kind === 'ok' ? l : { kind: 'loading' }));
    const query: TaskQuery = { sort, direction, due, ...(clientId ? { clientId } : {}) };
    api.tasks(query, controller.signal).then(
      (tasks) => {
        setLoad({ kind: 'ok', tasks });
        setLimit(pageSize);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setLoad({ kind: 'failed', message: errorMessage(e) });
      },
    );
    return () => controller.abort();
  }, [api, sort, direction, clientId, due, attempt]);

  const complete = useCallback(
    async (task: TaskRow) => {
      const key = taskKey(task);
      setCompleting((s) => new Set(s).add(key));
      try {
        await api.completeTask(task.clientId, task.companyId, task.id);
        setLoad((l) =>
          l.kind === 'ok' ? { kind: 'ok', tasks: l.tasks.filter((t) => taskKey(t) !== key) } : l,
        );
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
    [api, notify],
  );

  const onSortHeader = (column: TaskSort): void => {
    if (column === sort) setDirection((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      setSort(column);
      setDirection(column === 'priority' ? 'desc' : 'asc');
    }
  };

  const tasks = load.kind === 'ok' ? load.tasks : [];
  const overdueCount = useMemo(() => tasks.filter((t) => t.isOverdue).length, [tasks]);
  const clientName = clients.find((c) => c.id === clientId)?.name ?? 'All clients';

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
    <div className={styles.root}>
      <Toolbar className={styles.toolbar} aria-label="Task list options">
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
        <Dropdown
          className={styles.dropdown}
          aria-label="Filter by client"
          value={clientName}
          selectedOptions={[clientId ?? '']}
          onOptionSelect={(_, d) =>
            setClientId(d.optionValue ? (d.optionValue as ClientDto['id']) : null)
          }
        >
          <Option value="">All clients</Option>
          {clients.map((c) => (
            <Option key={c.id} value={c.id}>
              {c.name}
            </Option>
          ))}
        </Dropdown>
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
        <Button
          appearance="subtle"
          icon={<ArrowSyncRegular />}
          onClick={() => setAttempt((a) => a + 1)}
        >
          Reload
        </Button>
        {load.kind === 'ok' ? (
          <Text className={styles.count} aria-live="polite" data-testid="task-count">
            {plural(tasks.length, 'task', 'tasks')}
            {overdueCount ? `, ${overdueCount} overdue` : ''}
          </Text>
        ) : null}
      </Toolbar>
      {refresh.bar ? <RefreshAllBar job={refresh.bar} onDismiss={refresh.dismissBar} /> : null}
      <div className={styles.surface}>
        {load.kind === 'loading' ? (
          <LoadingState label="Loading your tasks…" />
        ) : load.kind === 'failed' ? (
          <EmptyState
            tone="error"
            icon={<ErrorCircleRegular />}
            title="Your tasks could not be loaded"
            actions={<Button onClick={() => setAttempt((a) => a + 1)}>Try again</Button>}
          >
            {load.message}
          </EmptyState>
        ) : tasks.length === 0 ? (
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
                        <span className={mergeClasses(styles.due, t.isOverdue && styles.overdue)}>
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
                      <td className={mergeClasses(styles.td, t.priority === 'high' && styles.high)}>
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
        )}
      </div>
    </div>
  );
}
