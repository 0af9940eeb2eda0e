import { describe, expect, test } from '@jest/globals';
import {
  collectPages,
  companySegment,
  decodeEnumValue,
  encodeEnumValue,
  isSafePathName,
  odataStringLiteral,
  parseFormattedNumber,
  withQuery,
  type ODataPage,
} from '../../src/connector/odata.js';

describe('OData literals and segments', () => {
  test('a quote inside a string literal is doubled', () => {
    expect(odataStringLiteral("O'Brien")).toBe("'O''Brien'");
    expect(odataStringLiteral('Open')).toBe("'Open'");
  });

  test('a company name becomes a Company segment with doubled quotes, then percent-encoded', () => {
    expect(companySegment('CRONUS USA, Inc.')).toBe("Company('CRONUS%20USA%2C%20Inc.')");
    expect(companySegment("O'Brien & Sons")).toBe("Company('O''Brien%20%26%20Sons')");
  });

  test('a company name with a slash or hash cannot escape its segment', () => {
    const seg = companySegment('A/B#C?D');
    expect(seg).toBe("Company('A%2FB%23C%3FD')");
    expect(new URL(`https://h/ODataV4/${seg}/X`).pathname).toBe(`/ODataV4/${seg}/X`);
  });

  test('tenant and environment names that could walk the path are refused', () => {
    expect(isSafePathName('contoso.onmicrosoft.com')).toBe(true);
    expect(isSafePathName('5a1e7c3d-9b2f-4e6a-8d41-0c7f2b9e6a13')).toBe(true);
    expect(isSafePathName('production')).toBe(true);
    for (const bad of ['..', '.', 'a/b', 'a..b', '', 'a b', 'a%2Fb', '-x', 'x?y']) {
      expect(isSafePathName(bad)).toBe(false);
    }
  });

  test('query options are encoded with %20 for spaces and never +', () => {
    const url = withQuery('https://h/x', {
      $filter: "status eq 'Open' and dueDate lt 2025-01-31",
      $select: 'id,number',
      $top: undefined,
    });
    expect(url).toBe(
      "https://h/x?$filter=status%20eq%20'Open'%20and%20dueDate%20lt%202025-01-31&$select=id%2Cnumber",
    );
    expect(new URL(url).searchParams.get('$filter')).toBe(
      "status eq 'Open' and dueDate lt 2025-01-31",
    );
    expect(withQuery('https://h/x')).toBe('https://h/x');
    expect(withQuery('https://h/x?a=1', { b: 2 })).toBe('https://h/x?a=1&b=2');
  });
});

describe('enum encoding', () => {
  test('_xHHHH_ escapes decode and the blank member becomes empty', () => {
    expect(decodeEnumValue('In_x0020_Review')).toBe('In Review');
    expect(decodeEnumValue('Positive_x0020_Adjmt_x002E_')).toBe('Positive Adjmt.');
    expect(decodeEnumValue('_x0020_')).toBe('');
    expect(decodeEnumValue(' ')).toBe('');
    expect(decodeEnumValue('Expired_x0020_')).toBe('Expired');
    expect(decodeEnumValue('Open')).toBe('Open');
  });

  test('enum values encode for filters the way BC sends them', () => {
    expect(encodeEnumValue('In Review')).toBe('In_x0020_Review');
    expect(encodeEnumValue('Open')).toBe('Open');
  });
});

describe('padded cue text', () => {
  test.each([
    ['                         1,234.56', 1234.56],
    ['$1,234.56', 1234.56],
    ['      $0.00', 0],
    ['1.234,56 kr.', 1234.56],
    ['kr. 1.234,56', 1234.56],
    ['(1,234.56)', -1234.56],
    ['-1,234.56', -1234.56],
    ['-$1,234.56', -1234.56],
    ['1,234.56-', -1234.56],
    ['−12,50 €', -12.5],
    ['1 234 567,89 €', 1234567.89],
    ['1\u00a0234,50', 1234.5],
    ["CHF 1'234.50", 1234.5],
    ['1,000,000', 1000000],
    ['1.000.000', 1000000],
    ['                            12', 12],
    ['1,234', 1234],
    ['0,5', 0.5],
    ['£12.5', 12.5],
    ['', 0],
    ['        ', 0],
  ])('%j reads as %d', (text, expected) => {
    expect(parseFormattedNumber(text)).toBe(expected);
  });

  test.each(['abc', '$', '1.2.3,4,5', '12 and 13', '--'])('%j is not a number', (text) => {
    expect(parseFormattedNumber(text)).toBeNull();
  });
});

describe('nextLink paging', () => {
  const page = (value: number[], nextLink: string | null): ODataPage<number> => ({
    value,
    nextLink,
  });

  test('follows every nextLink in order', async () => {
    const pages: Record<string, ODataPage<number>> = { a: page([3, 4], 'b'), b: page([5], null) };
    const r = await collectPages(
      page([1, 2], 'a'),
      async (l) => ({ ok: true as const, value: pages[l]! }),
      (m) => m,
    );
    expect(r).toEqual({ ok: true, value: [1, 2, 3, 4, 5] });
  });

  test('a link seen twice stops with an error instead of looping', async () => {
    const r = await collectPages(
      page([1], 'a'),
      async () => ({ ok: true as const, value: page([2], 'a') }),
      (m) => m,
    );
    expect(r).toEqual({ ok: false, error: 'Business Central repeated a page link' });
  });

  test('a server that never stops paging is cut off', async () => {
    let n = 0;
    const r = await collectPages(
      page([], 'p0'),
      async () => ({ ok: true as const, value: page([n], `p${++n}`) }),
      (m) => m,
      5,
    );
    expect(r).toEqual({ ok: false, error: 'Business Central sent too many pages' });
  });

  test('a failing page ends with that failure', async () => {
    const r = await collectPages(
      page([1], 'a'),
      async () => ({ ok: false as const, error: 'boom' }),
      (m) => m,
    );
    expect(r).toEqual({ ok: false, error: 'boom' });
  });
});
