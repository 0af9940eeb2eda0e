/**
 * The dashboard grid: one row per client company, virtualized so thousands of rows scroll
 * smoothly (only the rows in view are in the DOM), with ARIA grid semantics so a screen reader
 * knows the real size (`aria-rowcount`, `aria-rowindex`) and the keyboard moves cell by cell
 * (roving tabindex: exactly one cell or control in the grid is in the tab order).
 *
 * Keys: arrows move; Home/End go to the row's first/last cell, with Ctrl to the first/last row;
 * PageUp/PageDown move a page; Enter/Space act on the focused control (sort, open, menu).
 */
import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { FocusEvent, KeyboardEvent } from 'react';
import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import type { Range } from '@tanstack/react-virtual';
import {
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowDownRegular,
  ArrowSyncRegular,
  ArrowUpRegular,
  CheckmarkCircleFilled,
  CircleRegular,
  ErrorCircleFilled,
  MoreHorizontalRegular,
  MultiselectLtrRegular,
  OpenRegular,
  WarningFilled,
} from '@fluentui/react-icons';
import type { DashboardColumn, DashboardRow, DashboardView } from '../../src/hub/api-types.js';
import { columnDefs, rowKey } from './dashboard-model.js';
import type { SortColumn } from './dashboard-model.js';
import { formatCount, formatDate, formatDateTime, formatMoney, formatRelative } from './format.js';
import { statusLabel, statusText } from './status.js';

const rowHeight = 44;
const headerHeight = 44;

type GridColumnId = 'select' | 'actions' | SortColumn;

interface GridColumn {
  readonly id: GridColumnId;
  readonly label: string;
  readonly width: number;
  readonly align: 'start' | 'end';
  readonly sortable: boolean;
  /** Left offset when the column stays in view while scrolling sideways. */
  readonly stickyLeft: number | null;
}

function buildColumns(dataColumns: readonly DashboardColumn[], selecting: boolean): GridColumn[] {
  const cols: GridColumn[] = [];
  let left = 0;
  const sticky = (id: GridColumnId, label: string, width: number, sortable: boolean): void => {
    cols.push({ id, label, width, align: 'start', sortable, stickyLeft: left });
    left += width;
  };
  if (selecting) sticky('select', 'Select', 44, false);
  sticky('clientName', columnDefs.clientName.label, columnDefs.clientName.width, true);
  sticky('actions', 'Actions', 40, false);
  sticky('companyName', columnDefs.companyName.label, columnDefs.companyName.width, true);
  for (const id of dataColumns) {
    const def = columnDefs[id];
    cols.push({
      id,
      label: def.label,
      width: def.width,
      align: def.kind === 'money' || def.kind === 'count' || def.kind === 'taxes' ? 'end' : 'start',
      sortable: true,
      stickyLeft: null,
    });
  }
  return cols;
}

const useStyles = makeStyles({
  scroller: {
    position: 'relative',
    overflow: 'auto',
    flex: 1,
    minHeight: 0,
    backgroundColor: tokens.colorNeutralBackground1,
    outlineStyle: 'none',
    scrollPaddingTop: `${headerHeight}px`,
    contain: 'strict',
  },
  header: {
    position: 'sticky',
    top: 0,
    zIndex: 2,
    display: 'grid',
    height: `${headerHeight}px`,
    backgroundColor: tokens.colorNeutralBackground2,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  body: { position: 'relative' },
  row: {
    position: 'absolute',
    top: 0,
    left: 0,
    display: 'grid',
    height: `${rowHeight}px`,
    boxSizing: 'border-box',
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  rowSelected: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Selected },
  },
  cell: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    minWidth: 0,
    padding: `0 ${tokens.spacingHorizontalS}`,
    boxSizing: 'border-box',
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    backgroundColor: 'inherit',
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: '-2px',
    },
  },
  headerCell: {
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground2,
    padding: `0 ${tokens.spacingHorizontalXXS}`,
  },
  end: { justifyContent: 'flex-end', textAlign: 'end' },
  sticky: { position: 'sticky', zIndex: 1 },
  lastSticky: { borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  number: { fontVariantNumeric: 'tabular-nums' },
  danger: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  muted: { color: tokens.colorNeutralForeground3 },
  truncate: { overflow: 'hidden', textOverflow: 'ellipsis', minWidth: 0 },
  sortButton: {
    minWidth: 0,
    width: '100%',
    height: '100%',
    padding: `0 ${tokens.spacingHorizontalS}`,
    fontWeight: tokens.fontWeightSemibold,
    justifyContent: 'flex-start',
    textAlign: 'start',
    whiteSpace: 'normal',
    lineHeight: tokens.lineHeightBase200,
    overflow: 'hidden',
  },
  sortButtonEnd: { justifyContent: 'flex-end', textAlign: 'end' },
  companyLink: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
    textAlign: 'start',
    padding: 0,
    border: 'none',
    background: 'none',
    font: 'inherit',
    cursor: 'pointer',
    color: tokens.colorBrandForegroundLink,
    ':hover': { textDecoration: 'underline', color: tokens.colorBrandForegroundLinkHover },
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      borderRadius: tokens.borderRadiusSmall,
    },
  },
  iconButton: {
    display: 'inline-flex',
    alignItems: 'center',
    justifyContent: 'center',
    width: '28px',
    height: '28px',
    padding: 0,
    border: 'none',
    borderRadius: tokens.borderRadiusMedium,
    background: 'none',
    color: tokens.colorNeutralForeground2,
    fontSize: '20px',
    cursor: 'pointer',
    ':hover': {
      backgroundColor: tokens.colorSubtleBackgroundHover,
      color: tokens.colorNeutralForeground1,
    },
    ':focus-visible': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  },
  checkbox: {
    width: '16px',
    height: '16px',
    margin: 0,
    accentColor: tokens.colorCompoundBrandBackground,
    cursor: 'pointer',
  },
  badge: {
    display: 'inline-flex',
    alignItems: 'center',
    flexShrink: 0,
    height: '20px',
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusCircular,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    backgroundColor: tokens.colorNeutralBackground5,
    color: tokens.colorNeutralForeground2,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorTransparentStroke}`,
  },
  badgeFresh: {
    backgroundColor: tokens.colorPaletteGreenBackground1,
    color: tokens.colorPaletteGreenForeground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteGreenBorder1}`,
  },
  badgeStale: {
    backgroundColor: tokens.colorPaletteMarigoldBackground1,
    color: tokens.colorPaletteMarigoldForeground2,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteMarigoldBorder1}`,
  },
  badgeFailed: {
    backgroundColor: tokens.colorPaletteRedBackground1,
    color: tokens.colorPaletteRedForeground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder1}`,
  },
  sampleBadge: {
    flexShrink: 0,
    padding: `0 ${tokens.spacingHorizontalXS}`,
    borderRadius: tokens.borderRadiusMedium,
    fontSize: tokens.fontSizeBase100,
    fontWeight: tokens.fontWeightSemibold,
    lineHeight: '16px',
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground2,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke2}`,
  },
  icon: { flexShrink: 0, fontSize: '16px', display: 'inline-flex' },
  fresh: { color: tokens.colorPaletteGreenForeground1 },
  stale: { color: tokens.colorPaletteMarigoldForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  never: { color: tokens.colorNeutralForeground3 },
  statusCell: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  secondary: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

/** The grid's style hook, exported so the loading state can compile its styles ahead of time. */
export const useGridStyles = useStyles;

export interface DashboardGridProps {
  readonly rows: readonly DashboardRow[];
  readonly columns: readonly DashboardColumn[];
  readonly sort: DashboardView['sort'];
  readonly onSort: (column: SortColumn) => void;
  /** Keys of selected rows, or null when not selecting. */
  readonly selection: ReadonlySet<string> | null;
  readonly onToggleSelect: (row: DashboardRow) => void;
  readonly onSelectAll: (select: boolean) => void;
  readonly refreshing: ReadonlySet<string>;
  readonly now: Date;
  readonly onOpenDetails: (row: DashboardRow) => void;
  readonly onRefresh: (row: DashboardRow) => void;
  readonly onGoToClient: (row: DashboardRow) => void;
  readonly onSelectMore: (row: DashboardRow) => void;
}

interface Pos {
  readonly r: number;
  readonly c: number;
}

export function DashboardGrid(props: DashboardGridProps) {
  const { rows, columns: dataCols, sort, onSort, selection } = props;
  const styles = useStyles();
  const scrollRef = useRef<HTMLDivElement>(null);
  const cols = useMemo(() => buildColumns(dataCols, selection !== null), [dataCols, selection]);
  const template = cols.map((c) => `${c.width}px`).join(' ');
  const totalWidth = cols.reduce((sum, c) => sum + c.width, 0);
  const lastSticky = cols.reduce((i, c, idx) => (c.stickyLeft !== null ? idx : i), -1);
  const stickyWidth = cols.reduce((sum, c) => sum + (c.stickyLeft !== null ? c.width : 0), 0);

  // Roving focus: row 0 is the header, data rows start at 1.
  const [active, setActive] = useState<Pos>({ r: 0, c: 0 });
  const pendingFocus = useRef(false);
  const maxR = rows.length;
  const maxC = cols.length - 1;
  const pos: Pos = { r: Math.min(active.r, maxR), c: Math.min(active.c, maxC) };

  // The row holding the focusable cell stays rendered even when scrolled out of view, so Tab
  // always finds its way into the grid and a scroll never drops the keyboard focus.
  const activeIndex = pos.r - 1;
  const rangeExtractor = useCallback(
    (range: Range): number[] => {
      const indexes = defaultRangeExtractor(range);
      if (activeIndex >= 0 && activeIndex < range.count && !indexes.includes(activeIndex)) {
        indexes.push(activeIndex);
        indexes.sort((a, b) => a - b);
      }
      return indexes;
    },
    [activeIndex],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    rangeExtractor,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    scrollMargin: headerHeight,
    scrollPaddingStart: headerHeight,
    initialRect: { width: 1200, height: 800 },
  });

  // One menu for all rows, anchored to the "…" button that opened it.
  const [menu, setMenu] = useState<{ row: DashboardRow; target: HTMLElement } | null>(null);
  const openMenu = useCallback((row: DashboardRow, target: HTMLElement) => {
    setMenu({ row, target });
    // The menu has no trigger of its own: put focus on its first item, as a menu button does.
    requestAnimationFrame(() =>
      document
        .querySelector<HTMLElement>('[role="menu"] [role="menuitem"]:not([aria-disabled="true"])')
        ?.focus(),
    );
  }, []);
  const closeMenu = useCallback(() => {
    setMenu((current) => {
      // Back to the button it came from, if an action did not move focus elsewhere.
      const target = current?.target;
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if (
          target?.isConnected &&
          (!active || active === document.body || active.closest('[role="menu"]'))
        ) {
          target.focus();
        }
      });
      return null;
    });
  }, []);

  const moveTo = useCallback(
    (r: number, c: number) => {
      const next = { r: Math.max(0, Math.min(r, maxR)), c: Math.max(0, Math.min(c, maxC)) };
      pendingFocus.current = true;
      setActive(next);
      if (next.r > 0) virtualizer.scrollToIndex(next.r - 1, { align: 'auto' });
      else if (scrollRef.current) scrollRef.current.scrollTop = 0;
    },
    [maxR, maxC, virtualizer],
  );

  // After a keyboard move, focus the new cell once its row is rendered (it may be scrolled in).
  useLayoutEffect(() => {
    if (!pendingFocus.current) return;
    let tries = 0;
    let frame = 0;
    const focus = (): void => {
      const el = scrollRef.current?.querySelector<HTMLElement>(`[data-focus="${pos.r}:${pos.c}"]`);
      if (el) {
        pendingFocus.current = false;
        el.focus({ preventScroll: true });
        el.closest('[role="gridcell"],[role="columnheader"]')?.scrollIntoView({
          block: 'nearest',
          inline: 'nearest',
        });
      } else if (tries++ < 10) {
        frame = requestAnimationFrame(focus);
      }
    };
    focus();
    return () => cancelAnimationFrame(frame);
  });

  const onKeyDownCapture = (e: KeyboardEvent<HTMLDivElement>): void => {
    const target = e.target as HTMLElement;
    // Only keys on the grid's own cells; menus and dialogs (portals) handle their own.
    if (!target.dataset.focus || !e.currentTarget.contains(target)) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / rowHeight) - 1);
    const ctrl = e.ctrlKey || e.metaKey;
    let next: Pos | null = null;
    switch (e.key) {
      case 'ArrowDown':
        next = { r: pos.r + 1, c: pos.c };
        break;
      case 'ArrowUp':
        next = { r: pos.r - 1, c: pos.c };
        break;
      case 'ArrowRight':
        next = { r: pos.r, c: pos.c + 1 };
        break;
      case 'ArrowLeft':
        next = { r: pos.r, c: pos.c - 1 };
        break;
      case 'Home':
        next = ctrl ? { r: 0, c: 0 } : { r: pos.r, c: 0 };
        break;
      case 'End':
        next = ctrl ? { r: maxR, c: maxC } : { r: pos.r, c: maxC };
        break;
      case 'PageDown':
        next = { r: pos.r + page, c: pos.c };
        break;
      case 'PageUp':
        next = { r: pos.r - page, c: pos.c };
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    moveTo(next.r, next.c);
  };

  // A click or Tab into the grid makes the focused cell the active one.
  const onFocus = (e: FocusEvent<HTMLDivElement>): void => {
    const at = (e.target as HTMLElement).closest<HTMLElement>('[data-focus]')?.dataset.focus;
    if (!at) return;
    const [r, c] = at.split(':').map(Number);
    if (r !== undefined && c !== undefined && (r !== pos.r || c !== pos.c)) setActive({ r, c });
  };

  const allSelected =
    selection !== null && rows.length > 0 && rows.every((r) => selection.has(rowKey(r)));
  const someSelected = selection !== null && rows.some((r) => selection.has(rowKey(r)));

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label="Client companies"
      aria-rowcount={rows.length + 1}
      aria-colcount={cols.length}
      aria-multiselectable={selection !== null ? true : undefined}
      className={styles.scroller}
      style={{ scrollPaddingLeft: `${stickyWidth}px` }}
      onKeyDownCapture={onKeyDownCapture}
      onFocus={onFocus}
      data-testid="dashboard-grid"
    >
      <div role="rowgroup">
        <div
          role="row"
          aria-rowindex={1}
          className={styles.header}
          style={{ gridTemplateColumns: template, width: `${totalWidth}px`, minWidth: '100%' }}
        >
          {cols.map((col, c) => {
            const focusAttr = `0:${c}`;
            const isActive = pos.r === 0 && pos.c === c;
            const ariaSort =
              col.sortable && sort.column === col.id
                ? sort.direction === 'asc'
                  ? 'ascending'
                  : 'descending'
                : col.sortable
                  ? 'none'
                  : undefined;
            const cellClass = mergeClasses(
              styles.cell,
              styles.headerCell,
              col.align === 'end' && styles.end,
              col.stickyLeft !== null && styles.sticky,
              c === lastSticky && styles.lastSticky,
            );
            const stickyStyle =
              col.stickyLeft !== null ? { left: `${col.stickyLeft}px` } : undefined;
            if (col.id === 'select') {
              return (
                <div
                  key={col.id}
                  role="columnheader"
                  aria-colindex={c + 1}
                  className={cellClass}
                  style={stickyStyle}
                >
                  <input
                    type="checkbox"
                    className={styles.checkbox}
                    aria-label="Select all shown companies"
                    checked={allSelected}
                    ref={(el) => {
                      if (el) el.indeterminate = someSelected && !allSelected;
                    }}
                    onChange={(e) => props.onSelectAll(e.currentTarget.checked)}
                    tabIndex={isActive ? 0 : -1}
                    data-focus={focusAttr}
                  />
                </div>
              );
            }
            if (!col.sortable) {
              return (
                <div
                  key={col.id}
                  role="columnheader"
                  aria-colindex={c + 1}
                  className={cellClass}
                  style={stickyStyle}
                  tabIndex={isActive ? 0 : -1}
                  data-focus={focusAttr}
                >
                  <span className={styles.visuallyHidden}>{col.label}</span>
                </div>
              );
            }
            const sortId = col.id as SortColumn;
            const Arrow = sort.direction === 'asc' ? ArrowUpRegular : ArrowDownRegular;
            return (
              <div
                key={col.id}
                role="columnheader"
                aria-colindex={c + 1}
                aria-sort={ariaSort}
                className={cellClass}
                style={stickyStyle}
              >
                <Button
                  appearance="transparent"
                  className={mergeClasses(
                    styles.sortButton,
                    col.align === 'end' && styles.sortButtonEnd,
                  )}
                  icon={sort.column === sortId ? <Arrow /> : undefined}
                  iconPosition="after"
                  title={columnDefs[sortId].description}
                  tabIndex={isActive ? 0 : -1}
                  data-focus={focusAttr}
                  onClick={() => onSort(sortId)}
                >
                  {col.label}
                </Button>
              </div>
            );
          })}
        </div>
      </div>
      <div
        role="rowgroup"
        className={styles.body}
        style={{
          height: `${virtualizer.getTotalSize()}px`,
          width: `${totalWidth}px`,
          minWidth: '100%',
        }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const key = rowKey(row);
          return (
            <GridRow
              key={key}
              styles={styles}
              row={row}
              index={item.index}
              top={item.start - headerHeight}
              cols={cols}
              template={template}
              width={totalWidth}
              lastSticky={lastSticky}
              activeCol={pos.r === item.index + 1 ? pos.c : -1}
              selected={selection ? selection.has(key) : null}
              refreshing={props.refreshing.has(key)}
              menuOpen={menu !== null && rowKey(menu.row) === key}
              now={props.now}
              onOpenDetails={props.onOpenDetails}
              onOpenMenu={openMenu}
              onToggleSelect={props.onToggleSelect}
            />
          );
        })}
      </div>
      <Menu
        open={menu !== null}
        onOpenChange={(_, d) => {
          if (!d.open) closeMenu();
        }}
        positioning={{ target: menu?.target ?? null, position: 'below', align: 'start' }}
      >
        <MenuPopover>
          {menu ? (
            <MenuList aria-label={`Actions for ${menu.row.companyName}`}>
              <MenuItem
                icon={<ArrowSyncRegular />}
                disabled={props.refreshing.has(rowKey(menu.row))}
                onClick={() => props.onRefresh(menu.row)}
              >
                {props.refreshing.has(rowKey(menu.row)) ? 'Refreshing…' : 'Refresh'}
              </MenuItem>
              <MenuItem icon={<OpenRegular />} onClick={() => props.onGoToClient(menu.row)}>
                Go to client
              </MenuItem>
              <MenuItem
                icon={<MultiselectLtrRegular />}
                onClick={() => props.onSelectMore(menu.row)}
              >
                {selection === null
                  ? 'Select more'
                  : selection.has(rowKey(menu.row))
                    ? 'Deselect'
                    : 'Select'}
              </MenuItem>
            </MenuList>
          ) : null}
        </MenuPopover>
      </Menu>
    </div>
  );
}

type Styles = ReturnType<typeof useStyles>;

interface GridRowProps {
  readonly styles: Styles;
  readonly row: DashboardRow;
  readonly index: number;
  readonly top: number;
  readonly cols: readonly GridColumn[];
  readonly template: string;
  readonly width: number;
  readonly lastSticky: number;
  /** The column of the focusable cell when this row holds it, else -1. */
  readonly activeCol: number;
  readonly selected: boolean | null;
  readonly refreshing: boolean;
  readonly menuOpen: boolean;
  readonly now: Date;
  readonly onOpenDetails: (row: DashboardRow) => void;
  readonly onOpenMenu: (row: DashboardRow, target: HTMLElement) => void;
  readonly onToggleSelect: (row: DashboardRow) => void;
}

/**
 * One row. Memoized and built from plain elements (one shared menu serves every row), because
 * a sort or a scroll mounts dozens of rows at once and the accountant is waiting for them.
 */
const GridRow = memo(function GridRow(p: GridRowProps) {
  const { row, index, styles } = p;
  const r = index + 1;
  const statusId = `row-status-${index}`;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={p.selected ?? undefined}
      className={mergeClasses(styles.row, p.selected === true && styles.rowSelected)}
      style={{
        gridTemplateColumns: p.template,
        width: `${p.width}px`,
        minWidth: '100%',
        transform: `translateY(${p.top}px)`,
      }}
      data-row-key={rowKey(row)}
    >
      {p.cols.map((col, c) => {
        const tabIndex = p.activeCol === c ? 0 : -1;
        const focusAttr = `${r}:${c}`;
        const cellClass = mergeClasses(
          styles.cell,
          col.align === 'end' && styles.end,
          col.stickyLeft !== null && styles.sticky,
          c === p.lastSticky && styles.lastSticky,
        );
        const style = col.stickyLeft !== null ? { left: `${col.stickyLeft}px` } : undefined;
        const cellProps = {
          role: 'gridcell',
          'aria-colindex': c + 1,
          className: cellClass,
          style,
          'data-col': col.id,
        } as const;
        switch (col.id) {
          case 'select':
            return (
              <div key={col.id} {...cellProps}>
                <input
                  type="checkbox"
                  className={styles.checkbox}
                  aria-label={`Select ${row.companyName} (${row.clientName})`}
                  checked={p.selected === true}
                  onChange={() => p.onToggleSelect(row)}
                  tabIndex={tabIndex}
                  data-focus={focusAttr}
                />
              </div>
            );
          case 'clientName':
            return (
              <div key={col.id} {...cellProps} tabIndex={tabIndex} data-focus={focusAttr}>
                <span className={styles.truncate} title={row.clientName}>
                  {row.clientName}
                </span>
                {row.isSample ? <span className={styles.sampleBadge}>Sample</span> : null}
              </div>
            );
          case 'actions':
            return (
              <div key={col.id} {...cellProps}>
                <button
                  type="button"
                  className={styles.iconButton}
                  aria-label={`Actions for ${row.companyName} (${row.clientName})`}
                  aria-haspopup="menu"
                  aria-expanded={p.menuOpen}
                  title="More actions"
                  tabIndex={tabIndex}
                  data-focus={focusAttr}
                  onClick={(e) => p.onOpenMenu(row, e.currentTarget)}
                >
                  <MoreHorizontalRegular aria-hidden />
                </button>
              </div>
            );
          case 'companyName':
            return (
              <div key={col.id} {...cellProps}>
                <StatusIcon
                  styles={styles}
                  row={row}
                  refreshing={p.refreshing}
                  now={p.now}
                  id={statusId}
                />
                <button
                  type="button"
                  className={styles.companyLink}
                  title={`Open details of ${row.companyName}`}
                  tabIndex={tabIndex}
                  data-focus={focusAttr}
                  aria-describedby={statusId}
                  onClick={() => p.onOpenDetails(row)}
                >
                  {row.companyName}
                </button>
              </div>
            );
          default:
            return (
              <div key={col.id} {...cellProps} tabIndex={tabIndex} data-focus={focusAttr}>
                <DataCell styles={styles} row={row} column={col.id} now={p.now} />
              </div>
            );
        }
      })}
    </div>
  );
});

function StatusIcon({
  styles,
  row,
  refreshing,
  now,
  id,
}: {
  styles: Styles;
  row: DashboardRow;
  refreshing: boolean;
  now: Date;
  id: string;
}) {
  if (refreshing) {
    return (
      <>
        <Spinner size="extra-tiny" className={styles.icon} aria-hidden />
        <span id={id} className={styles.visuallyHidden}>
          Refreshing
        </span>
      </>
    );
  }
  const text = statusText(row, now);
  const icon = (() => {
    switch (row.status) {
      case 'fresh':
        return <CheckmarkCircleFilled className={mergeClasses(styles.icon, styles.fresh)} />;
      case 'stale':
        return <WarningFilled className={mergeClasses(styles.icon, styles.stale)} />;
      case 'failed':
        return <ErrorCircleFilled className={mergeClasses(styles.icon, styles.failed)} />;
      case 'never':
        return <CircleRegular className={mergeClasses(styles.icon, styles.never)} />;
    }
  })();
  return (
    <span className={styles.icon} title={text} data-status={row.status}>
      {icon}
      <span id={id} className={styles.visuallyHidden}>
        {text}
      </span>
    </span>
  );
}

const statusBadgeClass = (styles: Styles, status: DashboardRow['status']): string => {
  switch (status) {
    case 'fresh':
      return mergeClasses(styles.badge, styles.badgeFresh);
    case 'stale':
      return mergeClasses(styles.badge, styles.badgeStale);
    case 'failed':
      return mergeClasses(styles.badge, styles.badgeFailed);
    case 'never':
      return styles.badge;
  }
};

function DataCell({
  styles,
  row,
  column,
  now,
}: {
  styles: Styles;
  row: DashboardRow;
  column: SortColumn;
  now: Date;
}) {
  const none = (
    <span className={styles.muted} title="No numbers yet">
      <span aria-hidden>—</span>
      <span className={styles.visuallyHidden}>No data</span>
    </span>
  );
  switch (column) {
    case 'clientName':
    case 'companyName':
      return <span className={styles.truncate}>{row[column]}</span>;
    case 'overdueSalesInvoiceAmount':
    case 'overduePurchaseInvoiceAmount':
    case 'cashAccountsBalance': {
      const m = row[column];
      if (!m) return none;
      const isOverdue = column !== 'cashAccountsBalance' && m.minor > 0;
      const negative = column === 'cashAccountsBalance' && m.minor < 0;
      return (
        <span className={mergeClasses(styles.number, (isOverdue || negative) && styles.danger)}>
          {formatMoney(m)}
        </span>
      );
    }
    case 'openSalesDocuments':
    case 'purchaseInvoicesDueNextWeek':
    case 'tasksAssignedToMe':
    case 'overdueTasks': {
      const n = row[column];
      if (n === null) return none;
      const alarming = column === 'overdueTasks' && n > 0;
      return (
        <span className={mergeClasses(styles.number, alarming && styles.danger)}>
          {formatCount(n)}
        </span>
      );
    }
    case 'taxesDue': {
      const t = row.taxesDue;
      if (!t) return none;
      return (
        <span
          className={styles.truncate}
          title={`Estimate for ${formatDate(t.periodStart)} – ${formatDate(t.periodEnd)}, due ${formatDate(t.dueDate)}: tax on posted sales less tax on posted purchases.`}
        >
          <span className={styles.number}>{formatMoney(t.amount)}</span>{' '}
          <span className={styles.secondary}>due {formatDate(t.dueDate)}</span>
        </span>
      );
    }
    case 'lastRefreshed':
      return row.refreshedAt ? (
        <span title={formatDateTime(row.refreshedAt)}>{formatRelative(row.refreshedAt, now)}</span>
      ) : (
        <span className={styles.muted}>Never</span>
      );
    case 'status':
      return (
        <span className={styles.statusCell} title={statusText(row, now)}>
          <span className={statusBadgeClass(styles, row.status)}>{statusLabel(row.status)}</span>
          {row.statusReason ? (
            <span className={mergeClasses(styles.truncate, styles.secondary)}>
              {row.statusReason}
            </span>
          ) : null}
        </span>
      );
    default:
      return none;
  }
}
