import { describe, expect, it } from '@jest/globals';
import { contentDisposition, reportFileName } from '../../server/download-names.js';

describe('reportFileName', () => {
  it('names the company, the statement and the date', () => {
    expect(reportFileName('CRONUS USA, Inc.', 'balance-sheet', '2026-11-22')).toBe(
      'CRONUS USA, Inc. - Balance sheet - 2026-11-22.xlsx',
    );
  });

  it.each([
    ['../../etc/passwd', 'etc passwd'],
    ['a/b\\c', 'a b c'],
    ['Evil"\r\nSet-Cookie: x=1', 'Evil Set-Cookie x 1'],
    ['<script>alert(1)</script>', 'script alert(1) script'],
    ['   ', 'Company'],
    ['...', 'Company'],
  ])('keeps only harmless characters of %p', (name, expected) => {
    expect(reportFileName(name, 'trial-balance', '2026-01-31')).toBe(
      `${expected} - Trial balance - 2026-01-31.xlsx`,
    );
  });

  it('keeps letters of other scripts', () => {
    expect(reportFileName('Müller & Søn ApS 東京', 'aged-payables', '2026-01-31')).toBe(
      'Müller & Søn ApS 東京 - Aged payables - 2026-01-31.xlsx',
    );
  });

  it('bounds the length of a very long company name', () => {
    expect(reportFileName('x'.repeat(1000), 'income-statement', '2026-01-31').length).toBeLessThan(
      180,
    );
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the UTF-8 name', () => {
    expect(contentDisposition('Müller - Balance sheet.xlsx')).toBe(
      `attachment; filename="Muller - Balance sheet.xlsx"; filename*=UTF-8''M%C3%BCller%20-%20Balance%20sheet.xlsx`,
    );
  });

  it('never lets quotes, backslashes or line breaks into the header', () => {
    const header = contentDisposition('a"b\\c\r\nd\'(e)*.xlsx');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain('filename="a_b_c__d\'(e)*.xlsx"');
    expect(header).toContain("filename*=UTF-8''a%22b%5Cc%0D%0Ad%27%28e%29%2A.xlsx");
  });

  it('replaces non-Latin letters in the fallback', () => {
    expect(contentDisposition('東京.xlsx')).toContain('filename="__.xlsx"');
  });
});
