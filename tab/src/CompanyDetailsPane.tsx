/**
 * The Company details pane, opened from a company name: cash, the taxes-due estimate, the
 * cash-flow forecast, ready-to-print Excel reports, overdue sales and purchase invoices (each
 * linking to the document in Business Central) and my tasks in this company. The data is live:
 * the server reads it from the client's Business Central when the pane opens.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import {
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  InfoLabel,
  Link,
  OverlayDrawer,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowDownloadRegular,
  DismissRegular,
  DocumentTableRegular,
  ErrorCircleRegular,
  OpenRegular,
} from '@fluentui/react-icons';
import type {
  CompanyDetailsDto,
  DashboardRow,
  FinancialStatementKind,
  InvoiceRow,
  TaskRow,
} from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import type { DownloadedFile } from './api.js';
import { useApp } from './app-context.js';
import { EmptyState, LoadingState } from './EmptyState.js';
import { ForecastChart } from './ForecastChart.js';
import {
  formatDate,
  formatDateTime,
  formatMoney,
  plural,
  priorityLabel,
  safeHref,
} from './format.js';

const useStyles = makeStyles({
  body: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXL,
    paddingBottom: tokens.spacingVerticalXXL,
  },
  subtitle: { color: tokens.colorNeutralForeground3, display: 'block' },
  headerActions: { display: 'flex', gap: tokens.spacingHorizontalXS },
  tiles: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(170px, 1fr))',
    gap: tokens.spacingHorizontalM,
  },
  tile: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  tileLabel: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  tileValue: {
    fontSize: tokens.fontSizeBase500,
    fontWeight: tokens.fontWeightSemibold,
    fontVariantNumeric: 'tabular-nums',
  },
  tileNote: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  danger: { color: tokens.colorPaletteRedForeground1 },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  reports: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  downloadIcon: { marginLeft: tokens.spacingHorizontalS },
  number: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  secondary: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  note: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  empty: { color: tokens.colorNeutralForeground3 },
});

export const reportLabels: Record<FinancialStatementKind, string> = {
  'balance-sheet': 'Balance sheet',
  'income-statement': 'Income statement',
  'trial-balance': 'Trial balance',
  'cash-flow-statement': 'Cash flow statement',
  'aged-receivables': 'Aged receivables',
  'aged-payables': 'Aged payables',
};

const reportKinds = Object.keys(reportLabels) as FinancialStatementKind[];

export interface CompanyDetailsPaneProps {
  /** The company to show; null closes the pane. */
  readonly row: DashboardRow | null;
  readonly onClose: () => void;
}

type Load =
  | { kind: 'loading' }
  | { kind: 'ok'; details: CompanyDetailsDto }
  | { kind: 'failed'; message: string };

/** Hands a downloaded file to the browser, as if its link had been clicked. */
function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function CompanyDetailsPane({ row, onClose }: CompanyDetailsPaneProps) {
  const styles = useStyles();
  const { api, host, notify } = useApp();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [downloading, setDownloading] = useState<ReadonlySet<FinancialStatementKind>>(new Set());
  const clientId = row?.clientId;
  const companyId = row?.companyId;

  useEffect(() => {
    if (!clientId || !companyId) return;
    const controller = new AbortController();
    setLoad({ kind: 'loading' });
    api.companyDetails(clientId, companyId, controller.signal).then(
      (details) => setLoad({ kind: 'ok', details }),
      (e: unknown) => {
        if (!controller.signal.aborted) setLoad({ kind: 'failed', message: errorMessage(e) });
      },
    );
    return () => controller.abort();
  }, [api, clientId, companyId, attempt]);

  const download = useCallback(
    async (kind: FinancialStatementKind) => {
      if (!clientId || !companyId) return;
      setDownloading((s) => new Set(s).add(kind));
      try {
        saveFile(await api.downloadReport(clientId, companyId, kind));
      } catch (e) {
        notify('error', `${reportLabels[kind]} could not be created`, errorMessage(e));
      } finally {
        setDownloading((s) => {
          const next = new Set(s);
          next.delete(kind);
          return next;
        });
      }
    },
    [api, clientId, companyId, notify],
  );

  const openInBc = (url: string | undefined): void => {
    const href = safeHref(url);
    if (href) host.openLink(href);
  };

  const details = load.kind === 'ok' ? load.details : null;

  return (
    <OverlayDrawer
      open={row !== null}
      position="end"
      size="large"
      onOpenChange={(_, d) => !d.open && onClose()}
      aria-label={row ? `Details of ${row.companyName}` : 'Company details'}
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={
            <div className={styles.headerActions}>
              <Button
                appearance="subtle"
                icon={<OpenRegular />}
                onClick={() => openInBc(details?.goToClientUrl ?? row?.goToClientUrl)}
              >
                Open in Business Central
              </Button>
              <Button
                appearance="subtle"
                aria-label="Close"
                icon={<DismissRegular />}
                onClick={onClose}
              />
            </div>
          }
        >
          {row?.companyName ?? ''}
          <Text size={200} weight="regular" className={styles.subtitle}>
            {row?.clientName}
            {details ? ` · live data fetched ${formatDateTime(details.fetchedAt)}` : ''}
          </Text>
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        {load.kind === 'loading' ? (
          <LoadingState label="Fetching live data from the client’s Business Central…" />
        ) : load.kind === 'failed' ? (
          <EmptyState
            tone="error"
            icon={<ErrorCircleRegular />}
            title="The details could not be loaded"
            actions={<Button onClick={() => setAttempt((a) => a + 1)}>Try again</Button>}
          >
            {load.message}
          </EmptyState>
        ) : (
          <div className={styles.body} data-testid="company-details">
            <div className={styles.tiles}>
              <Tile
                label="Cash accounts balance"
                value={formatMoney(load.details.cashAccountsBalance)}
                danger={load.details.cashAccountsBalance.minor < 0}
              />
              <Tile
                label="Overdue sales invoices"
                value={formatMoney(sumOf(load.details.overdueSalesInvoices, load.details.currency))}
                note={plural(load.details.overdueSalesInvoices.length, 'invoice', 'invoices')}
                danger={load.details.overdueSalesInvoices.length > 0}
              />
              <Tile
                label="Overdue purchase invoices"
                value={formatMoney(
                  sumOf(load.details.overduePurchaseInvoices, load.details.currency),
                )}
                note={plural(load.details.overduePurchaseInvoices.length, 'invoice', 'invoices')}
                danger={load.details.overduePurchaseInvoices.length > 0}
              />
              {load.details.taxesDue ? (
                <Tile
                  label={
                    <InfoLabel size="small" info={load.details.taxesDue.method}>
                      Taxes due (estimate)
                    </InfoLabel>
                  }
                  value={formatMoney(load.details.taxesDue.amount)}
                  note={`Due ${formatDate(load.details.taxesDue.dueDate)} for ${formatDate(load.details.taxesDue.periodStart)} – ${formatDate(load.details.taxesDue.periodEnd)}`}
                />
              ) : (
                <Tile
                  label="Taxes due (estimate)"
                  value="—"
                  note="Not available for this company"
                />
              )}
            </div>

            <section className={styles.section} aria-label="Cash flow forecast">
              <ForecastChart forecast={load.details.forecast} />
            </section>

            <section className={styles.section} aria-labelledby="reports-heading">
              <Text as="h3" weight="semibold" size={400} id="reports-heading">
                Reports
              </Text>
              <Text className={styles.note}>
                Ready-to-print Excel workbooks built from this company’s live data.
              </Text>
              <div className={styles.reports}>
                {reportKinds.map((kind) => (
                  <Button
                    key={kind}
                    icon={
                      downloading.has(kind) ? <Spinner size="tiny" /> : <DocumentTableRegular />
                    }
                    disabledFocusable={downloading.has(kind)}
                    onClick={() => void download(kind)}
                    aria-label={`Download ${reportLabels[kind]} (Excel)`}
                  >
                    {reportLabels[kind]}
                    <ArrowDownloadRegular aria-hidden className={styles.downloadIcon} />
                  </Button>
                ))}
              </div>
            </section>

            <InvoiceSection
              title="Overdue sales invoices"
              partner="Customer"
              invoices={load.details.overdueSalesInvoices}
              onOpen={openInBc}
              testId="overdue-sales"
            />
            <InvoiceSection
              title="Overdue purchase invoices"
              partner="Vendor"
              invoices={load.details.overduePurchaseInvoices}
              onOpen={openInBc}
              testId="overdue-purchases"
              note={
                load.details.overduePurchaseInvoices.some((i) => i.amountKind === 'total')
                  ? 'Amounts are invoice totals: Business Central does not report what is left to pay on a purchase invoice.'
                  : undefined
              }
            />
            <TaskSection tasks={load.details.tasks} onOpen={openInBc} />
          </div>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}

function Tile({
  label,
  value,
  note,
  danger,
}: {
  label: ReactNode;
  value: string;
  note?: string;
  danger?: boolean;
}) {
  const styles = useStyles();
  return (
    <div className={styles.tile}>
      <span className={styles.tileLabel}>{label}</span>
      <span className={mergeClasses(styles.tileValue, danger && styles.danger)}>{value}</span>
      {note ? <span className={styles.tileNote}>{note}</span> : null}
    </div>
  );
}

function sumOf(invoices: readonly InvoiceRow[], currency: string) {
  // One company's overdue invoices are in its local currency; others are not added in.
  const minor = invoices
    .filter((i) => i.amount.currency === currency)
    .reduce((s, i) => s + i.amount.minor, 0);
  return { minor, currency };
}

/** A link into Business Central; the click goes through the host so Teams opens it properly. */
function BcLink({
  href,
  children,
  onOpen,
}: {
  href: string;
  children: ReactNode;
  onOpen: (url: string) => void;
}) {
  const safe = safeHref(href);
  if (!safe) return <>{children}</>;
  return (
    <Link
      href={safe}
      target="_blank"
      rel="noopener noreferrer"
      onClick={(e) => {
        e.preventDefault();
        onOpen(safe);
      }}
    >
      {children}
    </Link>
  );
}

function InvoiceSection(props: {
  title: string;
  partner: string;
  invoices: readonly InvoiceRow[];
  onOpen: (url: string) => void;
  testId: string;
  note?: string;
}) {
  const styles = useStyles();
  const headingId = `${props.testId}-heading`;
  return (
    <section className={styles.section} aria-labelledby={headingId} data-testid={props.testId}>
      <Text as="h3" weight="semibold" size={400} id={headingId}>
        {props.title} ({props.invoices.length})
      </Text>
      {props.invoices.length === 0 ? (
        <Text className={styles.empty}>Nothing overdue.</Text>
      ) : (
        <Table size="small" aria-labelledby={headingId}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Number</TableHeaderCell>
              <TableHeaderCell>{props.partner}</TableHeaderCell>
              <TableHeaderCell>Due date</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Days overdue</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Amount</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {props.invoices.map((inv) => (
              <TableRow key={inv.id}>
                <TableCell>
                  <BcLink href={inv.link} onOpen={props.onOpen}>
                    {inv.number}
                  </BcLink>
                </TableCell>
                <TableCell>
                  {inv.partnerName} <span className={styles.secondary}>{inv.partnerNumber}</span>
                </TableCell>
                <TableCell>{formatDate(inv.dueDate)}</TableCell>
                <TableCell className={mergeClasses(styles.number, styles.danger)}>
                  {inv.daysOverdue}
                </TableCell>
                <TableCell className={styles.number}>{formatMoney(inv.amount)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {props.note ? <Text className={styles.note}>{props.note}</Text> : null}
    </section>
  );
}

function TaskSection({
  tasks,
  onOpen,
}: {
  tasks: readonly TaskRow[];
  onOpen: (url: string) => void;
}) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-labelledby="company-tasks-heading">
      <Text as="h3" weight="semibold" size={400} id="company-tasks-heading">
        My tasks in this company ({tasks.length})
      </Text>
      {tasks.length === 0 ? (
        <Text className={styles.empty}>No open tasks assigned to you here.</Text>
      ) : (
        <Table size="small" aria-labelledby="company-tasks-heading">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Task</TableHeaderCell>
              <TableHeaderCell>Due</TableHeaderCell>
              <TableHeaderCell>Priority</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tasks.map((t) => (
              <TableRow key={t.id}>
                <TableCell>
                  <BcLink href={t.link} onOpen={onOpen}>
                    {t.title}
                  </BcLink>
                </TableCell>
                <TableCell className={t.isOverdue ? styles.danger : undefined}>
                  {t.dueAt ? formatDate(t.dueAt) : 'No due date'}
                  {t.isOverdue ? ` · ${plural(t.daysOverdue, 'day', 'days')} overdue` : ''}
                </TableCell>
                <TableCell>{priorityLabel(t.priority)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}
