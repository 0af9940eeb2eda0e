import { describe, expect, it } from '@jest/globals';
import {
  isTaskInDueWindow,
  isTaskOverdue,
  sortTasks,
  taskDaysOverdue,
} from '../../src/domain/tasks.js';
import type { SortableTask } from '../../src/domain/tasks.js';

const now = new Date('2025-06-11T12:00:00Z'); // a Wednesday

let nextId = 1;
const task = (overrides: Partial<SortableTask> = {}): SortableTask => ({
  id: nextId++,
  title: 'Reconcile bank',
  dueAt: '2025-06-20T00:00:00Z',
  percentComplete: 0,
  priority: 'normal',
  clientName: 'Alpha',
  companyName: 'Alpha Ltd',
  ...overrides,
});

describe('isTaskOverdue', () => {
  it('is overdue when due now or earlier and not complete', () => {
    expect(isTaskOverdue(task({ dueAt: '2025-06-11T12:00:00Z' }), now)).toBe(true);
    expect(isTaskOverdue(task({ dueAt: '2025-06-01T00:00:00Z', percentComplete: 50 }), now)).toBe(
      true,
    );
  });

  it('is not overdue one millisecond before the due time', () => {
    expect(isTaskOverdue(task({ dueAt: '2025-06-11T12:00:00.001Z' }), now)).toBe(false);
  });

  it('is never overdue when 100 % complete, undated, or dated 0001-01-01', () => {
    expect(isTaskOverdue(task({ dueAt: '2025-01-01T00:00:00Z', percentComplete: 100 }), now)).toBe(
      false,
    );
    expect(isTaskOverdue(task({ dueAt: null }), now)).toBe(false);
    expect(isTaskOverdue(task({ dueAt: '0001-01-01T00:00:00Z' }), now)).toBe(false);
    expect(isTaskOverdue(task({ dueAt: 'not a date' }), now)).toBe(false);
  });
});

describe('taskDaysOverdue', () => {
  it('counts calendar days since the due date', () => {
    expect(taskDaysOverdue(task({ dueAt: '2025-06-01T23:00:00Z' }), now)).toBe(10);
    expect(taskDaysOverdue(task({ dueAt: '2025-06-11T08:00:00Z' }), now)).toBe(0);
  });

  it('is 0 for a task that is not overdue', () => {
    expect(taskDaysOverdue(task({ dueAt: '2025-07-01T00:00:00Z' }), now)).toBe(0);
  });
});

describe('isTaskInDueWindow', () => {
  const overdue = task({ dueAt: '2025-06-01T00:00:00Z' });
  const laterToday = task({ dueAt: '2025-06-11T23:59:59Z' });
  const sunday = task({ dueAt: '2025-06-15T22:00:00Z' });
  const nextMonday = task({ dueAt: '2025-06-16T00:00:00Z' });
  const undated = task({ dueAt: null });

  it('overdue keeps only overdue tasks', () => {
    expect(
      [overdue, laterToday, sunday, undated].map((t) => isTaskInDueWindow(t, 'overdue', now)),
    ).toEqual([true, false, false, false]);
  });

  it('today includes overdue tasks and those due by midnight', () => {
    expect(
      [overdue, laterToday, sunday, undated].map((t) => isTaskInDueWindow(t, 'today', now)),
    ).toEqual([true, true, false, false]);
  });

  it('this-week runs to the end of Sunday', () => {
    expect(
      [overdue, laterToday, sunday, nextMonday, undated].map((t) =>
        isTaskInDueWindow(t, 'this-week', now),
      ),
    ).toEqual([true, true, true, false, false]);
  });

  it('all includes undated tasks', () => {
    expect(isTaskInDueWindow(undated, 'all', now)).toBe(true);
  });
});

describe('sortTasks', () => {
  const a = task({
    title: 'a',
    dueAt: '2025-06-20T00:00:00Z',
    clientName: 'Zeta',
    priority: 'low',
  });
  const b = task({
    title: 'b',
    dueAt: '2025-06-05T00:00:00Z',
    clientName: 'Beta',
    priority: 'none',
  });
  const c = task({ title: 'c', dueAt: null, clientName: 'Alpha', priority: 'high' });
  const d = task({
    title: 'd',
    dueAt: '2025-06-20T00:00:00Z',
    clientName: 'alpha',
    priority: 'high',
  });

  it('sorts by due date with undated tasks last, ties by priority', () => {
    expect(sortTasks([a, b, c, d]).map((t) => t.title)).toEqual(['b', 'd', 'a', 'c']);
  });

  it('keeps undated tasks last when sorting by due date descending', () => {
    expect(sortTasks([a, b, c, d], 'dueDate', 'desc').map((t) => t.title)).toEqual([
      'd',
      'a',
      'b',
      'c',
    ]);
  });

  it('sorts by client name ignoring case, then due date', () => {
    expect(sortTasks([a, b, c, d], 'client').map((t) => t.title)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('sorts by priority with high first, then due date', () => {
    expect(sortTasks([a, b, c, d], 'priority').map((t) => t.title)).toEqual(['d', 'c', 'a', 'b']);
    expect(sortTasks([a, b, c, d], 'priority', 'desc').map((t) => t.title)).toEqual([
      'b',
      'a',
      'd',
      'c',
    ]);
  });

  it('does not reorder the array it was given', () => {
    const input = [a, b, c];
    sortTasks(input);
    expect(input).toEqual([a, b, c]);
  });
});
