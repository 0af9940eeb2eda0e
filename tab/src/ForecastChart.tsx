/**
 * The cash-flow forecast as a hand-made SVG chart: money in (up) and out (down) per week as bars,
 * the projected balance as a line. The same numbers are available as a table for screen readers
 * and for anyone who prefers figures, and an info button explains how the forecast is computed.
 */
import { useState } from 'react';
import {
  Button,
  InfoLabel,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { ChartMultipleRegular, TableRegular } from '@fluentui/react-icons';
import type { CashFlowForecast } from '../../src/hub/api-types.js';
import { niceTicks } from './chart-scale.js';
import { formatDate, formatMoney } from './format.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  head: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
  },
  svg: { width: '100%', height: 'auto', display: 'block', overflow: 'visible' },
  axis: { stroke: tokens.colorNeutralStroke1, strokeWidth: 1 },
  grid: { stroke: tokens.colorNeutralStroke3, strokeWidth: 1 },
  label: {
    fill: tokens.colorNeutralForeground3,
    fontSize: '11px',
    fontFamily: tokens.fontFamilyBase,
  },
  inflow: { fill: tokens.colorPaletteGreenBackground3 },
  outflow: { fill: tokens.colorPaletteRedBackground3 },
  line: { fill: 'none', stroke: tokens.colorBrandForeground1, strokeWidth: 2.5 },
  point: {
    fill: tokens.colorNeutralBackground1,
    stroke: tokens.colorBrandForeground1,
    strokeWidth: 2,
  },
  pointNegative: {
    stroke: tokens.colorPaletteRedForeground1,
    fill: tokens.colorPaletteRedForeground1,
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalL,
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
  },
  swatch: {
    display: 'inline-block',
    width: '10px',
    height: '10px',
    marginRight: tokens.spacingHorizontalXS,
    borderRadius: '2px',
    verticalAlign: 'middle',
  },
  swatchIn: { backgroundColor: tokens.colorPaletteGreenBackground3 },
  swatchOut: { backgroundColor: tokens.colorPaletteRedBackground3 },
  swatchLine: { backgroundColor: tokens.colorBrandForeground1, height: '3px' },
  number: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  negative: { color: tokens.colorPaletteRedForeground1 },
});

const width = 640;
const height = 240;
const margin = { top: 12, right: 12, bottom: 30, left: 64 };

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export interface ForecastChartProps {
  readonly forecast: CashFlowForecast;
}

export function ForecastChart({ forecast }: ForecastChartProps) {
  const styles = useStyles();
  const [asTable, setAsTable] = useState(false);
  const weeks = forecast.weeks;
  // The server's method text says how the forecast is computed; say where payables came from
  // only if it does not.
  const payables =
    forecast.payablesSource === 'aged-accounts-payable'
      ? 'Payables come from the aged accounts payable report.'
      : 'Payables are the totals of open purchase invoices.';
  const explanation = /payable|purchase/i.test(forecast.method)
    ? forecast.method
    : `${forecast.method} ${payables}`;

  const title = (
    <InfoLabel info={explanation} size="large" weight="semibold">
      Cash flow forecast ({weeks.length} weeks ahead, {forecast.currency})
    </InfoLabel>
  );

  const firstWeek = weeks[0];
  if (!firstWeek) {
    return (
      <div className={styles.root}>
        {title}
        <p>
          No open receivables or payables are due in the coming weeks, so the balance stays at{' '}
          {formatMoney(forecast.startingBalance)}.
        </p>
      </div>
    );
  }

  const values = weeks.flatMap((w) => [w.inflow.minor, -w.outflow.minor, w.balance.minor]);
  values.push(forecast.startingBalance.minor, 0);
  const ticks = niceTicks(Math.min(...values) / 100, Math.max(...values) / 100);
  const lo = ticks[0] ?? 0;
  const hi = ticks[ticks.length - 1] ?? 1;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const y = (major: number): number => margin.top + ((hi - major) / (hi - lo)) * plotH;
  const band = plotW / weeks.length;
  const barW = Math.max(3, Math.min(18, band * 0.3));
  const cx = (i: number): number => margin.left + band * (i + 0.5);
  const zero = y(0);
  const labelEvery = Math.ceil(weeks.length / 8);
  const linePoints = weeks.map((w, i) => `${cx(i)},${y(w.balance.minor / 100)}`).join(' ');
  const last = weeks[weeks.length - 1] ?? firstWeek;
  const lowest = weeks.reduce((a, w) => (w.balance.minor < a.balance.minor ? w : a), firstWeek);
  const summary =
    `Cash flow forecast over ${weeks.length} weeks: balance goes from ${formatMoney(forecast.startingBalance)} ` +
    `to ${formatMoney(last.balance)}; lowest ${formatMoney(lowest.balance)} in the week of ${formatDate(lowest.weekStart)}.`;

  return (
    <div className={styles.root} data-testid="forecast">
      <div className={styles.head}>
        {title}
        <Button
          size="small"
          appearance="subtle"
          icon={asTable ? <ChartMultipleRegular /> : <TableRegular />}
          onClick={() => setAsTable((t) => !t)}
          aria-pressed={asTable}
        >
          {asTable ? 'Show chart' : 'Show as table'}
        </Button>
      </div>
      {asTable ? (
        <Table size="small" aria-label="Cash flow forecast by week">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Week of</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Money in</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Money out</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Balance at week end</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {weeks.map((w) => (
              <TableRow key={w.weekStart}>
                <TableCell>{formatDate(w.weekStart)}</TableCell>
                <TableCell className={styles.number}>{formatMoney(w.inflow)}</TableCell>
                <TableCell className={styles.number}>{formatMoney(w.outflow)}</TableCell>
                <TableCell
                  className={mergeClasses(styles.number, w.balance.minor < 0 && styles.negative)}
                >
                  {formatMoney(w.balance)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <>
          <svg
            className={styles.svg}
            viewBox={`0 0 ${width} ${height}`}
            role="img"
            aria-label={summary}
            data-testid="forecast-chart"
          >
            {ticks.map((t) => (
              <g key={t}>
                <line
                  className={styles.grid}
                  x1={margin.left}
                  x2={width - margin.right}
                  y1={y(t)}
                  y2={y(t)}
                />
                <text
                  className={styles.label}
                  x={margin.left - 8}
                  y={y(t)}
                  textAnchor="end"
                  dominantBaseline="middle"
                >
                  {compact.format(t)}
                </text>
              </g>
            ))}
            <line
              className={styles.axis}
              x1={margin.left}
              x2={width - margin.right}
              y1={zero}
              y2={zero}
            />
            {weeks.map((w, i) => (
              <g key={w.weekStart} data-week={w.weekStart}>
                <title>
                  {`Week of ${formatDate(w.weekStart)}: in ${formatMoney(w.inflow)}, out ${formatMoney(w.outflow)}, balance ${formatMoney(w.balance)}`}
                </title>
                <rect
                  className={styles.inflow}
                  x={cx(i) - barW - 1}
                  width={barW}
                  y={y(w.inflow.minor / 100)}
                  height={Math.max(0, zero - y(w.inflow.minor / 100))}
                  rx={2}
                />
                <rect
                  className={styles.outflow}
                  x={cx(i) + 1}
                  width={barW}
                  y={zero}
                  height={Math.max(0, y(-w.outflow.minor / 100) - zero)}
                  rx={2}
                />
                {i % labelEvery === 0 ? (
                  <text className={styles.label} x={cx(i)} y={height - 10} textAnchor="middle">
                    {shortDate(w.weekStart)}
                  </text>
                ) : null}
              </g>
            ))}
            <polyline className={styles.line} points={linePoints} />
            {weeks.map((w, i) => (
              <circle
                key={w.weekStart}
                className={mergeClasses(styles.point, w.balance.minor < 0 && styles.pointNegative)}
                cx={cx(i)}
                cy={y(w.balance.minor / 100)}
                r={3.5}
              />
            ))}
          </svg>
          <div className={styles.legend} aria-hidden>
            <span>
              <span className={mergeClasses(styles.swatch, styles.swatchIn)} />
              Money in (receivables due)
            </span>
            <span>
              <span className={mergeClasses(styles.swatch, styles.swatchOut)} />
              Money out (payables due)
            </span>
            <span>
              <span className={mergeClasses(styles.swatch, styles.swatchLine)} />
              Projected cash balance
            </span>
          </div>
        </>
      )}
    </div>
  );
}

const shortDateFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

function shortDate(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? isoDate : shortDateFormat.format(d);
}
