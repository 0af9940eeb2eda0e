/**
 * The dashboard view an accountant saves (columns, text filter, filters, sort). It arrives as
 * JSON from the tab, so it is rebuilt field by field from known values: nothing unknown is stored.
 */
import { AppError, err, ok } from '../domain/errors.js';
import type { Result } from '../domain/errors.js';
import type { ClientId } from '../domain/ids.js';
import { allDashboardColumns } from '../domain/model.js';
import type { DashboardColumn, DashboardView } from '../domain/model.js';

export const maxViewTextLength = 200;

const sortColumns: readonly string[] = [...allDashboardColumns, 'clientName', 'companyName'];
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function invalid(message: string, field: string): Result<never> {
  return err(new AppError('validation', message, { field }));
}

function optionalBoolean(value: unknown): value is boolean | undefined {
  return value === undefined || typeof value === 'boolean';
}

/** Checks a view: known, distinct columns; a known sort column and direction; short plain text. */
export function checkView(input: unknown): Result<DashboardView> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return invalid('A view must be an object.', 'view');
  }
  const v = input as Record<string, unknown>;

  const columns = v['columns'];
  if (!Array.isArray(columns)) return invalid('Columns must be a list.', 'columns');
  const seen = new Set<string>();
  for (const column of columns) {
    if (typeof column !== 'string' || !allDashboardColumns.includes(column as DashboardColumn)) {
      return invalid(`Unknown column: ${String(column).slice(0, 40)}.`, 'columns');
    }
    if (seen.has(column)) return invalid(`Column ${column} is listed twice.`, 'columns');
    seen.add(column);
  }

  const text = v['text'] ?? '';
  if (typeof text !== 'string') return invalid('The search text must be text.', 'text');
  if (text.length > maxViewTextLength || CONTROL.test(text)) {
    return invalid(`The search text can be at most ${maxViewTextLength} characters.`, 'text');
  }

  const filters = v['filters'] ?? {};
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) {
    return invalid('Filters must be an object.', 'filters');
  }
  const f = filters as Record<string, unknown>;
  const hasOverdueInvoices = f['hasOverdueInvoices'];
  const refreshFailed = f['refreshFailed'];
  const clientId = f['clientId'];
  if (!optionalBoolean(hasOverdueInvoices) || !optionalBoolean(refreshFailed)) {
    return invalid('Filter switches must be true or false.', 'filters');
  }
  if (
    clientId !== undefined &&
    clientId !== null &&
    (typeof clientId !== 'string' || clientId.length > 100 || CONTROL.test(clientId))
  ) {
    return invalid('The client filter is not valid.', 'filters');
  }

  const sort = v['sort'];
  if (typeof sort !== 'object' || sort === null) return invalid('Sort must be an object.', 'sort');
  const s = sort as Record<string, unknown>;
  const sortColumn = s['column'];
  const direction = s['direction'];
  if (typeof sortColumn !== 'string' || !sortColumns.includes(sortColumn)) {
    return invalid('Unknown sort column.', 'sort');
  }
  if (direction !== 'asc' && direction !== 'desc') {
    return invalid('Sort direction must be asc or desc.', 'sort');
  }

  const checkedFilters: {
    hasOverdueInvoices?: boolean;
    refreshFailed?: boolean;
    clientId?: ClientId | null;
  } = {};
  if (hasOverdueInvoices !== undefined) checkedFilters.hasOverdueInvoices = hasOverdueInvoices;
  if (refreshFailed !== undefined) checkedFilters.refreshFailed = refreshFailed;
  if (clientId !== undefined) checkedFilters.clientId = clientId as ClientId | null;

  return ok({
    columns: columns as DashboardColumn[],
    text,
    filters: checkedFilters,
    sort: { column: sortColumn as DashboardView['sort']['column'], direction },
  });
}
