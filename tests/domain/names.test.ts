import { describe, expect, it } from '@jest/globals';
import {
  compareByClientThenCompany,
  compareDocumentNumbers,
  compareNames,
} from '../../src/domain/names.js';

describe('ordering names for people', () => {
  it('ignores case and accents, so Émile and emile sit together between Adam and Zoë', () => {
    const names = ['zoë', 'Émile', 'adam', 'emile', 'Zoe'];
    const sorted = [...names].sort(compareNames);
    expect(sorted.slice(0, 1)).toEqual(['adam']);
    expect(sorted.slice(1, 3).sort()).toEqual(['emile', 'Émile'].sort());
    expect(compareNames('Émile', 'emile')).toBe(0);
  });

  it('puts SI-9 before SI-10, as an accountant reads document numbers', () => {
    expect(['SI-10', 'SI-9', 'SI-100'].sort(compareDocumentNumbers)).toEqual([
      'SI-9',
      'SI-10',
      'SI-100',
    ]);
  });

  it('orders rows by client, then company', () => {
    const rows = [
      { clientName: 'Fabrikam', companyName: 'B' },
      { clientName: 'contoso', companyName: 'Z' },
      { clientName: 'Fabrikam', companyName: 'a' },
    ];
    expect([...rows].sort(compareByClientThenCompany)).toEqual([
      { clientName: 'contoso', companyName: 'Z' },
      { clientName: 'Fabrikam', companyName: 'a' },
      { clientName: 'Fabrikam', companyName: 'B' },
    ]);
  });
});
