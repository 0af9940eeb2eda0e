/**
 * Task cards: "show overdue tasks" and "show my tasks [today|this week]". Tasks are grouped by
 * client and company, each with its due date, how late it is, its priority, a link into BC and a
 * "Mark complete" button that updates the card in place.
 */
import type { TaskRow } from '../../src/hub/api-types.js';
import type { CardView } from './actions.js';
import {
  clampOffset,
  noticeBlock,
  pagingActions,
  placeName,
  rangeLine,
  titleBlock,
  type CardNotice,
  type CardOwner,
} from './common.js';
import {
  actionSet,
  card,
  container,
  dataText,
  execute,
  fitPage,
  formatDay,
  openUrl,
  plural,
  text,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
} from './elements.js';
import { compareByClientThenCompany } from '../../src/domain/names.js';

export interface TasksCardInput {
  readonly tasks: readonly TaskRow[];
  readonly owner: CardOwner;
  readonly offset: number;
  readonly notice?: CardNotice;
}

/** Tasks per page: enough to act on, few enough to read on a phone. */
export const TASKS_PER_PAGE = 10;

const priorityLabel: Record<TaskRow['priority'], string | null> = {
  high: 'High priority',
  normal: null,
  low: 'Low priority',
  none: null,
};

function dueLine(task: TaskRow): string {
  const parts: string[] = [];
  parts.push(task.dueAt === null ? 'No due date' : `Due ${formatDay(task.dueAt)}`);
  if (task.isOverdue) {
    parts.push(
      task.daysOverdue === 0 ? 'overdue today' : `${plural(task.daysOverdue, 'day')} overdue`,
    );
  }
  const priority = priorityLabel[task.priority];
  if (priority !== null) parts.push(priority);
  if (task.percentComplete > 0) parts.push(`${task.percentComplete}% done`);
  return parts.join(' · ');
}

function taskItem(task: TaskRow, owner: CardOwner, view: CardView): CardElement {
  const actions: CardAction[] = [];
  if (task.link !== '') actions.push(openUrl('Open in BC', task.link));
  actions.push(
    execute('Mark complete', {
      verb: 'complete-task',
      owner: owner.accountantId,
      view,
      clientId: task.clientId,
      companyId: task.companyId,
      taskId: task.id,
    }),
  );
  return container(
    [
      dataText([{ text: task.title === '' ? '(untitled task)' : task.title, weight: 'bolder' }]),
      dataText(
        [
          {
            text: dueLine(task),
            color: task.isOverdue ? 'attention' : 'default',
            subtle: !task.isOverdue,
            size: 'small',
          },
        ],
        { spacing: 'none' },
      ),
      actionSet(actions),
    ],
    { separator: true, spacing: 'small' },
  );
}

/** Tasks grouped under `Client — Company` headings, in the order given. */
function groupedTasks(tasks: readonly TaskRow[], owner: CardOwner, view: CardView): CardElement[] {
  const out: CardElement[] = [];
  let lastGroup: string | null = null;
  for (const task of tasks) {
    const group = `${task.clientId}/${task.companyId}`;
    if (group !== lastGroup) {
      out.push(
        dataText(
          [
            {
              text: placeName(task.clientName, task.companyName),
              weight: 'bolder',
              color: 'accent',
            },
          ],
          {
            spacing: 'large',
          },
        ),
      );
      lastGroup = group;
    }
    out.push(taskItem(task, owner, view));
  }
  return out;
}

/** Sorted so each client's tasks sit together, oldest due date first within a company. */
function byClientThenDue(tasks: readonly TaskRow[]): TaskRow[] {
  return [...tasks].sort(
    (a, b) =>
      compareByClientThenCompany(a, b) ||
      (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') ||
      a.id - b.id,
  );
}

function tasksCard(
  input: TasksCardInput,
  view: CardView,
  title: string,
  emptyText: string,
  summaryLine: (total: number) => string,
): AdaptiveCard {
  const tasks = byClientThenDue(input.tasks);
  const offset = clampOffset(input.offset, tasks.length);
  const pageView: CardView = { ...view, offset };
  const head = [...titleBlock(title, input.owner), ...noticeBlock(input.notice)];
  if (tasks.length === 0) {
    return card([...head, text(emptyText)], pagingActions(input.owner, pageView, 0, 0));
  }
  const { card: built } = fitPage(tasks.slice(offset), TASKS_PER_PAGE, (page) =>
    card(
      [
        ...head,
        text(summaryLine(tasks.length), { spacing: 'small' }),
        ...groupedTasks(page, input.owner, pageView),
        ...rangeLine(offset, page.length, tasks.length),
      ],
      pagingActions(input.owner, pageView, tasks.length, page.length),
    ),
  );
  return built;
}

/** "show overdue tasks": every overdue task assigned to the accountant, across all clients. */
export function overdueTasksCard(input: TasksCardInput): AdaptiveCard {
  const clients = new Set(input.tasks.map((t) => t.clientId)).size;
  return tasksCard(
    input,
    { card: 'overdue-tasks', offset: input.offset },
    'Overdue tasks',
    'Nothing is overdue. Well done!',
    (total) => `${plural(total, 'task')} overdue across ${plural(clients, 'client')}.`,
  );
}

/** "show my tasks [today|this week]": open tasks due in the window, overdue ones included. */
export function myTasksCard(
  input: TasksCardInput & { readonly range: 'today' | 'this-week' | 'all' },
): AdaptiveCard {
  const title =
    input.range === 'today'
      ? 'My tasks due today'
      : input.range === 'this-week'
        ? 'My tasks due this week'
        : 'My tasks';
  const overdue = input.tasks.filter((t) => t.isOverdue).length;
  return tasksCard(
    input,
    { card: 'my-tasks', range: input.range, offset: input.offset },
    title,
    input.range === 'all' ? 'You have no open tasks.' : 'No tasks due in this period.',
    (total) => `${plural(total, 'open task')}${overdue > 0 ? `, ${overdue} of them overdue` : ''}.`,
  );
}
