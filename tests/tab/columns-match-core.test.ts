/**
 * The tab may import only types from src/, so it keeps its own copy of the column lists; this
 * test keeps the copy equal to the core's, so a column added in one place cannot go missing in
 * the other.
 */
import { expect, test } from '@jest/globals';
import { allDashboardColumns, defaultDashboardView } from '../../src/domain/model.js';
import { dataColumns, defaultColumns } from '../../tab/src/dashboard-model.js';

test('the column picker offers exactly the columns the hub accepts, in the same order', () => {
  expect(dataColumns).toEqual(allDashboardColumns);
});

test('a new accountant sees the same default columns in the tab as the hub saves', () => {
  expect(defaultColumns).toEqual(defaultDashboardView.columns);
});
