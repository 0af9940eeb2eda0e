/**
 * User-task rules, kept identical to Business Central's so the hub never disagrees with the
 * client's own screens: "overdue" is BC's `SetStyle()` test on table 1170 "User Task".
 */
import { addDays, daysBetween, startOfWeek, toIsoDate } from './dates.js';
import { assertNever } from './errors.js';
import type { IsoDateTime, TaskPriority } from './model.js';
import { compareByClientThenCompany } from './names.js';

/** The fields the overdue test reads. */
export interface TaskDueFacts {
  readonly dueAt: IsoDateTime | null;
  readonly percentComplete: number;
}

/** The fields task sorting reads. */
export interface SortableTask extends TaskDueFacts {
  readonly clientName: string;
  readonly companyName: string;
  readonly priority: TaskPriority;
  readonly title: string;
  readonly id: number;
}

export type TaskSortKey = 'dueDate' | 'client' | 'priority';
export type TaskDueWindow = 'overdue' | 'today' | 'this-week' | 'all';

function dueTime(task: TaskDueFacts): number | null {
  if (task.dueAt === null) return null;
  const t = Date.parse(task.dueAt);
  // BC writes an empty DateTime as 0001-01-01; treat it, and anything unparsable, as "no due date".
  if (Number.isNaN(t) || new Date(t).getUTCFullYear() <= 1) return null;
  return t;
}

/**
 * BC's definition (`SetStyle()`): not 100 % complete, has a due date-time, and that date-time is
 * now or earlier.
 */
export function isTaskOverdue(task: TaskDueFacts, now: Date): boolean {
  const due = dueTime(task);
  return task.percentComplete !== 100 && due !== null && due <= now.getTime();
}

/** Whole calendar days (UTC) from the due date to today for an overdue task; 0 otherwise. */
export function taskDaysOverdue(task: TaskDueFacts, now: Date): number {
  const due = dueTime(task);
  if (due === null || !isTaskOverdue(task, now)) return 0;
  return Math.max(0, daysBetween(toIsoDate(new Date(due)), toIsoDate(now)));
}

/**
 * Whether a task falls in a due window. Every window includes overdue tasks, as BC's "due today"
 * and "due this week" filters do: `today` = due by the end of today, `this-week` = due by the end
 * of Sunday of the current ISO week (UTC calendar), `all` = every task.
 */
export function isTaskInDueWindow(task: TaskDueFacts, window: TaskDueWindow, now: Date): boolean {
  if (window === 'all') return true;
  if (window === 'overdue') return isTaskOverdue(task, now);
  const due = dueTime(task);
  if (due === null || task.percentComplete === 100) return false;
  const today = toIsoDate(now);
  const lastDay = window === 'today' ? today : addDays(startOfWeek(today), 6);
  return due < Date.parse(`${addDays(lastDay, 1)}T00:00:00Z`);
}

const priorityRank: Record<TaskPriority, number> = { high: 0, normal: 1, low: 2, none: 3 };

function compareDue(a: SortableTask, b: SortableTask, direction: 1 | -1): number {
  const da = dueTime(a);
  const db = dueTime(b);
  // Tasks without a due date go last in both directions: they are never the urgent ones.
  if (da === null || db === null) return da === db ? 0 : da === null ? 1 : -1;
  return (da - db) * direction;
}

function compareClient(a: SortableTask, b: SortableTask): number {
  return compareByClientThenCompany(a, b);
}

function comparePriority(a: SortableTask, b: SortableTask): number {
  return priorityRank[a.priority] - priorityRank[b.priority];
}

/**
 * Sorts a copy of the tasks. `dueDate`: earliest first (no due date last), then priority, then
 * client. `client`: client and company name, then due date. `priority`: high first, then due
 * date. `desc` reverses the primary key only; ties always end with title and id so the order is
 * stable between calls.
 */
export function sortTasks<T extends SortableTask>(
  tasks: readonly T[],
  sort: TaskSortKey = 'dueDate',
  direction: 'asc' | 'desc' = 'asc',
): T[] {
  const dir = direction === 'asc' ? 1 : -1;
  const tail = (a: T, b: T): number => a.title.localeCompare(b.title) || a.id - b.id;
  const compare = (a: T, b: T): number => {
    switch (sort) {
      case 'dueDate':
        return compareDue(a, b, dir) || comparePriority(a, b) || compareClient(a, b) || tail(a, b);
      case 'client':
        return compareClient(a, b) * dir || compareDue(a, b, 1) || tail(a, b);
      case 'priority':
        return comparePriority(a, b) * dir || compareDue(a, b, 1) || tail(a, b);
      default:
        return assertNever(sort);
    }
  };
  return [...tasks].sort(compare);
}
