/**
 * My User Tasks: every task assigned to the accountant across all clients, from the last refresh
 * of each company, and marking one complete in the client's Business Central.
 */
import { AppError, err, ok } from '../domain/errors.js';
import type { Result } from '../domain/errors.js';
import type { AccountantId, ClientId, CompanyId, UserTaskId } from '../domain/ids.js';
import type { Client, Company, CompanyKpis, CompanySnapshot, UserTask } from '../domain/model.js';
import { isTaskInDueWindow, isTaskOverdue, sortTasks, taskDaysOverdue } from '../domain/tasks.js';
import type { TaskQuery, TaskRow } from './api-types.js';
import { companyTargetOf, storeOf } from './context.js';
import type { HubContext } from './context.js';
import { findCompany } from './lookup.js';

const sortKeys = ['dueDate', 'client', 'priority'] as const;
const dueWindows = ['overdue', 'today', 'this-week', 'all'] as const;

export function taskRowOf(client: Client, company: Company, task: UserTask, now: Date): TaskRow {
  return {
    clientId: client.id,
    clientName: client.name,
    companyId: company.id,
    companyName: company.displayName || company.name,
    id: task.id,
    title: task.title,
    dueAt: task.dueAt,
    priority: task.priority,
    percentComplete: task.percentComplete,
    createdBy: task.createdBy,
    isOverdue: isTaskOverdue(task, now),
    daysOverdue: taskDaysOverdue(task, now),
    link: task.link,
  };
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fallback;
}

/** All my open tasks, filtered by client and due window, sorted as asked (due date by default). */
export async function listMyTasks(
  ctx: HubContext,
  acc: AccountantId,
  query: TaskQuery = {},
): Promise<TaskRow[]> {
  const store = storeOf(ctx, acc);
  const [clients, companies, snapshots] = await Promise.all([
    store.listClients(),
    store.listCompanies(),
    store.listSnapshots(),
  ]);
  const now = ctx.clock();
  const q: Partial<TaskQuery> = typeof query === 'object' && query !== null ? query : {};
  const due = pick(q.due, dueWindows, 'all');
  const clientFilter = typeof q.clientId === 'string' ? q.clientId : null;
  const clientById = new Map(clients.map((c) => [c.id, c]));
  const companyByKey = new Map(companies.map((c) => [`${c.clientId}\u0000${c.id}`, c]));
  const rows: TaskRow[] = [];
  for (const snapshot of snapshots) {
    if (clientFilter !== null && snapshot.clientId !== clientFilter) continue;
    const client = clientById.get(snapshot.clientId);
    const company = companyByKey.get(`${snapshot.clientId}\u0000${snapshot.companyId}`);
    if (!client || !company) continue;
    for (const task of snapshot.tasks) {
      if (task.percentComplete === 100) continue;
      if (!isTaskInDueWindow(task, due, now)) continue;
      rows.push(taskRowOf(client, company, task, now));
    }
  }
  return sortTasks(
    rows,
    pick(q.sort, sortKeys, 'dueDate'),
    pick(q.direction, ['asc', 'desc'] as const, 'asc'),
  );
}

function withoutTask(snapshot: CompanySnapshot, taskId: UserTaskId, now: Date): CompanySnapshot {
  const tasks = snapshot.tasks.filter((t) => t.id !== taskId);
  const kpis: CompanyKpis | null = snapshot.kpis
    ? {
        ...snapshot.kpis,
        tasksAssignedToMe: tasks.length,
        overdueTasks: tasks.filter((t) => isTaskOverdue(t, now)).length,
      }
    : null;
  return { ...snapshot, tasks, kpis };
}

/**
 * Marks a task complete in the client's BC, then drops it from the stored snapshot so My User
 * Tasks and the dashboard counts agree at once, without waiting for the next refresh.
 */
export async function completeMyTask(
  ctx: HubContext,
  acc: AccountantId,
  clientId: ClientId,
  companyId: CompanyId,
  taskId: UserTaskId,
): Promise<Result<void>> {
  if (typeof taskId !== 'number' || !Number.isSafeInteger(taskId) || taskId < 0) {
    return err(new AppError('validation', 'The task id must be a whole number.'));
  }
  const found = await findCompany(ctx, acc, clientId, companyId);
  if (!found.ok) return found;
  const { client, company } = found.value;
  const done = await ctx.connector.completeUserTask(companyTargetOf(acc, client, company), taskId);
  if (!done.ok) return done;
  const store = storeOf(ctx, acc);
  const snapshot = await store.getSnapshot(client.id, company.id);
  if (snapshot && snapshot.tasks.some((t) => t.id === taskId)) {
    await store.saveSnapshot(withoutTask(snapshot, taskId, ctx.clock()));
  }
  ctx.logger.info('task completed', { accountantId: acc, clientId, companyId: company.id, taskId });
  return ok(undefined);
}
