/**
 * Ready-to-print Excel workbooks of a company's financial statements. Every cell is a value (no
 * formulas at all), so a workbook built from a client's data cannot carry a formula someone typed
 * into a customer name: totals are computed here, and text is always written as text.
 */
import ExcelJS from 'exceljs';
import { assertNever } from '../domain/errors.js';
import type {
  AgedLine,
  FinancialStatement,
  FinancialStatementKind,
  IsoDateTime,
  StatementLine,
  TrialBalanceLine,
} from '../domain/model.js';

/** Thousands separators, two decimals, negatives in red with a minus sign. */
export const amountFormat = '#,##0.00;[Red]-#,##0.00';

export const statementTitles: Record<FinancialStatementKind, string> = {
  'balance-sheet': 'Balance Sheet',
  'income-statement': 'Income Statement',
  'trial-balance': 'Trial Balance',
  'cash-flow-statement': 'Cash Flow Statement',
  'aged-receivables': 'Aged Accounts Receivable',
  'aged-payables': 'Aged Accounts Payable',
};

export interface WorkbookContext {
  readonly clientName: string;
  readonly companyName: string;
  readonly generatedAt: IsoDateTime;
}

/** Row of the column headers; rows above it hold the title block. */
const headerRow = 6;
/** Characters that make a spreadsheet treat typed text as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Characters XML 1.0 cannot carry: a workbook containing them does not open. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * Text for a cell. Strings are stored as shared strings, never as formulas, whatever they start
 * with; characters XML cannot hold are dropped, line ends become `\n` (XML would turn a lone CR
 * into one anyway), and the length is capped at Excel's 32,767.
 */
export function safeText(value: string): string {
  return value.replace(XML_INVALID, '').replace(/\r\n?/g, '\n').slice(0, 32_767);
}

/** Whether text would start a formula if typed into a cell (it is still written as text). */
export function looksLikeFormula(value: string): boolean {
  return FORMULA_START.test(value);
}

/** Escapes `&`, which starts a code in Excel's header/footer syntax. */
function headerText(value: string): string {
  return safeText(value).replace(/&/g, '&&');
}

interface Column {
  readonly header: string;
  readonly width: number;
  readonly amount?: boolean;
}

interface Row {
  readonly cells: readonly (string | number | null)[];
  readonly bold?: boolean;
  readonly indent?: number;
}

interface Layout {
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  readonly periodText: string;
  readonly landscape: boolean;
}

const accountScheduleAmountHeader = {
  'balance-sheet': 'Balance',
  'income-statement': 'Net change',
  'cash-flow-statement': 'Net change',
} as const;

function isTotalLine(line: StatementLine): boolean {
  return /total/i.test(line.lineType);
}

function isHeaderLine(line: StatementLine): boolean {
  return /header/i.test(line.lineType);
}

function accountScheduleLayout(
  kind: keyof typeof accountScheduleAmountHeader,
  lines: readonly StatementLine[],
  periodText: string,
): Layout {
  return {
    columns: [
      { header: 'Description', width: 56 },
      { header: accountScheduleAmountHeader[kind], width: 20, amount: true },
    ],
    rows: [...lines]
      .sort((a, b) => a.lineNumber - b.lineNumber)
      .map((line) => ({
        cells: [line.label, isHeaderLine(line) ? null : line.amount],
        bold: isTotalLine(line) || isHeaderLine(line),
        indent: Math.max(0, Math.min(15, Math.floor(line.indentation))),
      })),
    periodText,
    landscape: false,
  };
}

function sum<T>(lines: readonly T[], pick: (line: T) => number): number {
  // Summed in cents so the total row equals the sum a reader makes of the printed figures.
  return lines.reduce((acc, line) => acc + Math.round(pick(line) * 100), 0) / 100;
}

function trialBalanceLayout(lines: readonly TrialBalanceLine[], periodText: string): Layout {
  const rows: Row[] = lines.map((line) => ({
    cells: [
      line.accountNumber,
      line.accountName,
      line.totalDebit,
      line.totalCredit,
      line.balanceAtDateDebit,
      line.balanceAtDateCredit,
    ],
  }));
  rows.push({
    cells: [
      '',
      'Total',
      sum(lines, (l) => l.totalDebit),
      sum(lines, (l) => l.totalCredit),
      sum(lines, (l) => l.balanceAtDateDebit),
      sum(lines, (l) => l.balanceAtDateCredit),
    ],
    bold: true,
  });
  return {
    columns: [
      { header: 'No.', width: 12 },
      { header: 'Name', width: 40 },
      { header: 'Net change debit', width: 18, amount: true },
      { header: 'Net change credit', width: 18, amount: true },
      { header: 'Balance debit', width: 18, amount: true },
      { header: 'Balance credit', width: 18, amount: true },
    ],
    rows,
    periodText,
    landscape: true,
  };
}

function agedLayout(
  lines: readonly AgedLine[],
  labels: readonly [string, string, string],
  periodText: string,
): Layout {
  const rows: Row[] = lines.map((line) => ({
    cells: [
      line.partnerNumber,
      line.name,
      line.currency,
      line.current,
      line.period1,
      line.period2,
      line.period3,
      line.balanceDue,
    ],
  }));
  rows.push({
    cells: [
      '',
      'Total',
      '',
      sum(lines, (l) => l.current),
      sum(lines, (l) => l.period1),
      sum(lines, (l) => l.period2),
      sum(lines, (l) => l.period3),
      sum(lines, (l) => l.balanceDue),
    ],
    bold: true,
  });
  return {
    columns: [
      { header: 'No.', width: 12 },
      { header: 'Name', width: 36 },
      { header: 'Currency', width: 10 },
      { header: 'Current', width: 16, amount: true },
      { header: labels[0], width: 16, amount: true },
      { header: labels[1], width: 16, amount: true },
      { header: labels[2], width: 16, amount: true },
      { header: 'Balance due', width: 18, amount: true },
    ],
    rows,
    periodText,
    landscape: true,
  };
}

function layoutOf(statement: FinancialStatement): Layout {
  switch (statement.kind) {
    case 'balance-sheet':
      return accountScheduleLayout(statement.kind, statement.lines, `As of ${statement.to}`);
    case 'income-statement':
    case 'cash-flow-statement':
      return accountScheduleLayout(
        statement.kind,
        statement.lines,
        statement.from ? `Period ${statement.from} to ${statement.to}` : `Up to ${statement.to}`,
      );
    case 'trial-balance':
      return trialBalanceLayout(statement.lines, `Period ${statement.from} to ${statement.to}`);
    case 'aged-receivables':
    case 'aged-payables':
      return agedLayout(
        statement.lines,
        statement.periodLabels,
        `Aged as of ${statement.asOf}, periods of ${statement.periodLength}`,
      );
    default:
      return assertNever(statement);
  }
}

/**
 * Builds an .xlsx of one statement: a title block (statement, client and company, period,
 * generation time and currency), column headers frozen and repeated on every printed page,
 * amounts formatted `#,##0.00` with negatives in red, statement lines indented as in BC, totals
 * bold, and a page set up to print at one page wide with the company and page numbers in the
 * header and footer.
 */
export async function buildStatementWorkbook(
  statement: FinancialStatement,
  context: WorkbookContext,
): Promise<Buffer> {
  const title = statementTitles[statement.kind];
  const layout = layoutOf(statement);
  const generated = new Date(context.generatedAt);
  const generatedText = Number.isNaN(generated.getTime())
    ? safeText(String(context.generatedAt))
    : `${generated.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Accountant Hub';
  workbook.title = `${title} — ${safeText(context.companyName)}`;
  if (!Number.isNaN(generated.getTime())) {
    workbook.created = generated;
    workbook.modified = generated;
  }

  const lastColumn = layout.columns.length;
  const sheet = workbook.addWorksheet(title, {
    views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0, activeCell: `A${headerRow + 1}` }],
    pageSetup: {
      paperSize: 9,
      orientation: layout.landscape ? 'landscape' : 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${headerRow}:${headerRow}`,
      margins: { left: 0.5, right: 0.5, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 },
      horizontalCentered: true,
    },
    headerFooter: {
      oddHeader: `&L${headerText(context.companyName)}&R${headerText(title)}`,
      oddFooter: `&LGenerated ${headerText(generatedText)}&RPage &P of &N`,
    },
  });

  sheet.columns = layout.columns.map((c) => ({ width: c.width }));

  const titleCell = sheet.getCell(1, 1);
  titleCell.value = title;
  titleCell.font = { bold: true, size: 14 };
  sheet.getCell(2, 1).value = safeText(`${context.clientName} — ${context.companyName}`);
  sheet.getCell(2, 1).font = { bold: true };
  sheet.getCell(3, 1).value = safeText(layout.periodText);
  sheet.getCell(4, 1).value = safeText(
    `Amounts in ${statement.currency} · Generated ${generatedText} from Business Central`,
  );
  sheet.getCell(4, 1).font = { italic: true, color: { argb: 'FF666666' } };

  const header = sheet.getRow(headerRow);
  layout.columns.forEach((column, i) => {
    const cell = header.getCell(i + 1);
    cell.value = safeText(column.header);
    cell.font = { bold: true };
    cell.alignment = { horizontal: column.amount ? 'right' : 'left', vertical: 'middle' };
    cell.border = { bottom: { style: 'thin' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7ECF3' } };
  });

  layout.rows.forEach((row, r) => {
    const excelRow = sheet.getRow(headerRow + 1 + r);
    row.cells.forEach((value, i) => {
      const cell = excelRow.getCell(i + 1);
      const column = layout.columns[i];
      if (value === null) return;
      if (typeof value === 'number') {
        cell.value = Number.isFinite(value) ? value : null;
        cell.numFmt = amountFormat;
        cell.alignment = { horizontal: 'right' };
      } else {
        cell.value = safeText(value);
        if (i === 0 && row.indent) cell.alignment = { indent: row.indent };
      }
      if (row.bold) cell.font = { bold: true };
      if (row.bold && column?.amount) cell.border = { top: { style: 'thin' } };
    });
  });

  // The title block spans the table so long company names are not cut off on paper.
  for (let r = 1; r <= 4; r += 1) sheet.mergeCells(r, 1, r, lastColumn);
  sheet.pageSetup.printArea = `A1:${sheet.getColumn(lastColumn).letter}${Math.max(
    headerRow,
    headerRow + layout.rows.length,
  )}`;

  const data = await workbook.xlsx.writeBuffer();
  return Buffer.from(data as ArrayBuffer);
}
