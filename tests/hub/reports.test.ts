import { describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { amountFormat, buildStatementWorkbook } from '../../src/hub/reports.js';
import type { FinancialStatement } from '../../src/domain/model.js';

const context = {
  clientName: 'Fabrikam & Sons',
  companyName: 'CRONUS USA, Inc.',
  generatedAt: '2025-06-11T09:30:00.000Z',
};

async function readBack(buffer: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Error('no worksheet');
  return sheet;
}

const balanceSheet: FinancialStatement = {
  kind: 'balance-sheet',
  currency: 'USD',
  from: null,
  to: '2025-06-30',
  lines: [
    { lineNumber: 20000, label: 'Cash', amount: 1234.5, lineType: 'detail', indentation: 1 },
    { lineNumber: 10000, label: 'Assets', amount: 0, lineType: 'header', indentation: 0 },
    { lineNumber: 30000, label: 'Receivables', amount: -50.25, lineType: 'detail', indentation: 2 },
    {
      lineNumber: 40000,
      label: 'Total Assets',
      amount: 1184.25,
      lineType: 'total',
      indentation: 0,
    },
  ],
};

describe('buildStatementWorkbook', () => {
  it('writes a title block naming the statement, client, company, date and currency', async () => {
    const sheet = await readBack(await buildStatementWorkbook(balanceSheet, context));
    expect(sheet.name).toBe('Balance Sheet');
    expect(sheet.getCell('A1').value).toBe('Balance Sheet');
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    expect(sheet.getCell('A2').value).toBe('Fabrikam & Sons — CRONUS USA, Inc.');
    expect(sheet.getCell('A3').value).toBe('As of 2025-06-30');
    expect(String(sheet.getCell('A4').value)).toMatch(/Amounts in USD .* 2025-06-11 09:30 UTC/);
  });

  it('lists statement lines in BC line order with indentation, amounts formatted, totals bold', async () => {
    const sheet = await readBack(await buildStatementWorkbook(balanceSheet, context));
    expect(sheet.getCell('A6').value).toBe('Description');
    expect(sheet.getCell('B6').value).toBe('Balance');
    expect(sheet.getCell('A6').font?.bold).toBe(true);
    expect([7, 8, 9, 10].map((r) => sheet.getCell(`A${r}`).value)).toEqual([
      'Assets',
      'Cash',
      'Receivables',
      'Total Assets',
    ]);
    expect(sheet.getCell('B7').value).toBeNull();
    expect(sheet.getCell('B8').value).toBe(1234.5);
    expect(sheet.getCell('B8').numFmt).toBe(amountFormat);
    expect(sheet.getCell('B9').value).toBe(-50.25);
    expect(sheet.getCell('A8').alignment?.indent).toBe(1);
    expect(sheet.getCell('A9').alignment?.indent).toBe(2);
    expect(sheet.getCell('A10').font?.bold).toBe(true);
    expect(sheet.getCell('B10').font?.bold).toBe(true);
    expect(sheet.getCell('A8').font?.bold).toBeFalsy();
  });

  it('freezes the header and sets up printing: fit to width, repeated header, margins, header and footer', async () => {
    const sheet = await readBack(await buildStatementWorkbook(balanceSheet, context));
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 6 });
    expect(sheet.pageSetup).toMatchObject({
      orientation: 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '6:6',
    });
    expect(sheet.pageSetup.margins).toMatchObject({
      left: 0.5,
      right: 0.5,
      top: 0.75,
      bottom: 0.75,
    });
    // `&` starts a code in Excel's header syntax, so names are escaped.
    expect(sheet.headerFooter.oddHeader).toBe('&LCRONUS USA, Inc.&RBalance Sheet');
    expect(sheet.headerFooter.oddFooter).toBe('&LGenerated 2025-06-11 09:30 UTC&RPage &P of &N');
  });

  it('prints a trial balance landscape with a bold total row computed in cents', async () => {
    const statement: FinancialStatement = {
      kind: 'trial-balance',
      currency: 'EUR',
      from: '2025-01-01',
      to: '2025-06-30',
      lines: [
        {
          accountNumber: '1110',
          accountName: 'Accounts Receivable',
          accountType: 'Posting',
          totalDebit: 0.1,
          totalCredit: 0,
          balanceAtDateDebit: 72893.84,
          balanceAtDateCredit: 0,
        },
        {
          accountNumber: '2110',
          accountName: 'Accounts Payable',
          accountType: 'Posting',
          totalDebit: 0.2,
          totalCredit: 100,
          balanceAtDateDebit: 0,
          balanceAtDateCredit: 72893.84,
        },
      ],
    };
    const sheet = await readBack(await buildStatementWorkbook(statement, context));
    expect(sheet.pageSetup.orientation).toBe('landscape');
    expect(sheet.getCell('A3').value).toBe('Period 2025-01-01 to 2025-06-30');
    expect(sheet.getRow(6).values).toEqual([
      undefined,
      'No.',
      'Name',
      'Net change debit',
      'Net change credit',
      'Balance debit',
      'Balance credit',
    ]);
    expect(sheet.getCell('B9').value).toBe('Total');
    expect(sheet.getCell('C9').value).toBe(0.3);
    expect(sheet.getCell('E9').value).toBe(72893.84);
    expect(sheet.getCell('F9').font?.bold).toBe(true);
  });

  it('prints aged receivables with the period labels as headers and totals', async () => {
    const statement: FinancialStatement = {
      kind: 'aged-receivables',
      currency: 'USD',
      asOf: '2025-06-30',
      periodLength: '30D',
      periodLabels: ['31-60 days', '61-90 days', 'Over 90 days'],
      lines: [
        {
          partnerNumber: 'C001',
          name: 'Adatum',
          currency: 'USD',
          balanceDue: 300,
          current: 100,
          period1: 100,
          period2: 50,
          period3: 50,
        },
        {
          partnerNumber: 'C002',
          name: 'Trey',
          currency: 'USD',
          balanceDue: 10,
          current: 10,
          period1: 0,
          period2: 0,
          period3: 0,
        },
      ],
    };
    const sheet = await readBack(await buildStatementWorkbook(statement, context));
    expect(sheet.name).toBe('Aged Accounts Receivable');
    expect(sheet.getCell('A3').value).toBe('Aged as of 2025-06-30, periods of 30D');
    expect(['D6', 'E6', 'F6', 'G6', 'H6'].map((a) => sheet.getCell(a).value)).toEqual([
      'Current',
      '31-60 days',
      '61-90 days',
      'Over 90 days',
      'Balance due',
    ]);
    expect(sheet.getCell('H9').value).toBe(310);
    expect(sheet.getCell('D9').value).toBe(110);
  });

  it('writes text that starts like a formula as plain text, never as a formula', async () => {
    const hostile = ['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\r=1'];
    const statement: FinancialStatement = {
      kind: 'aged-payables',
      currency: 'USD',
      asOf: '2025-06-30',
      periodLength: '30D',
      periodLabels: ['=1+1', '31-60', '61-90'],
      lines: hostile.map((name, i) => ({
        partnerNumber: `=V${i}`,
        name,
        currency: 'USD',
        balanceDue: 1,
        current: 1,
        period1: 0,
        period2: 0,
        period3: 0,
      })),
    };
    const sheet = await readBack(
      await buildStatementWorkbook(statement, {
        ...context,
        clientName: '=cmd|calc',
        companyName: '@evil',
      }),
    );
    const textCells = [sheet.getCell('A2'), sheet.getCell('E6')];
    hostile.forEach((_, i) => {
      textCells.push(sheet.getCell(`A${7 + i}`), sheet.getCell(`B${7 + i}`));
    });
    for (const cell of textCells) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    }
    // Text survives unchanged, except that a carriage return is stored as a line feed.
    expect(hostile.map((_, i) => sheet.getCell(`B${7 + i}`).value)).toEqual(
      hostile.map((h) => h.replace('\r', '\n')),
    );
    expect(sheet.getCell('E6').value).toBe('=1+1');
  });

  it('drops characters XML cannot hold so the workbook still opens', async () => {
    const statement: FinancialStatement = {
      ...balanceSheet,
      lines: [
        {
          lineNumber: 1,
          label: 'Cash\u0000\u0007 box',
          amount: 1,
          lineType: 'detail',
          indentation: 0,
        },
      ],
    };
    const sheet = await readBack(await buildStatementWorkbook(statement, context));
    expect(sheet.getCell('A7').value).toBe('Cash box');
  });

  it('leaves non-finite amounts empty instead of writing NaN', async () => {
    const statement: FinancialStatement = {
      ...balanceSheet,
      lines: [
        { lineNumber: 1, label: 'Odd', amount: Number.NaN, lineType: 'detail', indentation: 0 },
      ],
    };
    const sheet = await readBack(await buildStatementWorkbook(statement, context));
    expect(sheet.getCell('B7').value).toBeNull();
  });

  it('produces a workbook for an empty statement', async () => {
    const sheet = await readBack(
      await buildStatementWorkbook(
        { ...balanceSheet, kind: 'income-statement', from: '2025-01-01', lines: [] },
        context,
      ),
    );
    expect(sheet.name).toBe('Income Statement');
    expect(sheet.getCell('B6').value).toBe('Net change');
    expect(sheet.getCell('A3').value).toBe('Period 2025-01-01 to 2025-06-30');
  });
});
