import { describe, expect, test } from '@jest/globals';
import {
  canonicalTimeZone,
  cleanChatText,
  matchClient,
  parseCommand,
  parseTimeOfDay,
  suggestCommands,
  type Command,
} from '../../bot/commands.js';
import { manifestCommands } from '../../bot/manifest-commands.js';
import {
  distanceFrom,
  editDistance,
  editDistanceLowerBound,
  editDistanceWithin,
} from '../../bot/text-match.js';

describe('parseCommand', () => {
  const cases: [string, Command][] = [
    ['help', { kind: 'help' }],
    ['What can you do?', { kind: 'help' }],
    ['', { kind: 'help' }],
    ['show overdue tasks', { kind: 'overdue-tasks' }],
    ['Show Overdue Tasks!!!', { kind: 'overdue-tasks' }],
    ['please show me my overdue tasks', { kind: 'overdue-tasks' }],
    ['shwo ovredue taks', { kind: 'overdue-tasks' }],
    ['overdue tasks?', { kind: 'overdue-tasks' }],
    ['show my tasks', { kind: 'my-tasks', range: 'all' }],
    ['tasks', { kind: 'my-tasks', range: 'all' }],
    ['show my tasks today', { kind: 'my-tasks', range: 'today' }],
    ['show my tasks tody', { kind: 'my-tasks', range: 'today' }],
    ['show my tasks this week', { kind: 'my-tasks', range: 'this-week' }],
    ['my tasks for this week please', { kind: 'my-tasks', range: 'this-week' }],
    ['show overdue invoices', { kind: 'overdue-invoices', client: null }],
    ['show overdue invoices Contoso Ltd.', { kind: 'overdue-invoices', client: 'Contoso Ltd' }],
    [
      'show overdue invoices for Fabrikam, Inc.',
      { kind: 'overdue-invoices', client: 'Fabrikam, Inc' },
    ],
    ['overdue invocies fabrikam', { kind: 'overdue-invoices', client: 'fabrikam' }],
    ['show overdue invoices all', { kind: 'overdue-invoices', client: null }],
    ['summary', { kind: 'summary' }],
    ['Sumary.', { kind: 'summary' }],
    ['clients', { kind: 'clients' }],
    ['show my clinets', { kind: 'clients' }],
    ['refresh', { kind: 'refresh', target: { kind: 'all' } }],
    ['refresh all', { kind: 'refresh', target: { kind: 'all' } }],
    ['refresh all clients now', { kind: 'refresh', target: { kind: 'all' } }],
    ['refersh Contoso', { kind: 'refresh', target: { kind: 'client', name: 'Contoso' } }],
    ['daily summary at 8:00', { kind: 'daily-summary-at', time: '08:00' }],
    ['daily summary 7:30 pm', { kind: 'daily-summary-at', time: '19:30' }],
    ['Daily summary at 18h15', { kind: 'daily-summary-at', time: '18:15' }],
    ['daily summary off', { kind: 'daily-summary-off' }],
    ['DAILY SUMMARY OFF.', { kind: 'daily-summary-off' }],
    ['daily summary on', { kind: 'daily-summary-on' }],
    ['daily summary', { kind: 'daily-summary-status' }],
    ['time zone Europe/Berlin', { kind: 'time-zone', timeZone: 'Europe/Berlin' }],
    ['timezone: america/new york', { kind: 'time-zone', timeZone: 'America/New_York' }],
    ['set my time zone to UTC', { kind: 'time-zone', timeZone: 'UTC' }],
  ];
  test.each(cases)('reads %j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  test('ignores the Teams mention markup wherever it sits', () => {
    expect(parseCommand('<at>Accountant Hub</at> show overdue tasks')).toEqual({
      kind: 'overdue-tasks',
    });
    expect(parseCommand('show <at>Accountant Hub</at> summary')).toEqual({ kind: 'summary' });
    expect(parseCommand('<at id="0">Accountant&nbsp;Hub</at>&nbsp;clients')).toEqual({
      kind: 'clients',
    });
  });

  test('says what is wrong with a bad argument and how the command is used', () => {
    const late = parseCommand('daily summary at 25:00');
    expect(late).toMatchObject({ kind: 'invalid', command: 'daily-summary' });
    expect(late.kind === 'invalid' && late.problem).toContain('25:00');
    const zone = parseCommand('time zone Mars/Olympus_Mons');
    expect(zone).toMatchObject({
      kind: 'invalid',
      command: 'time-zone',
      usage: 'time zone Europe/Berlin',
    });
    expect(parseCommand('show my tasks tomorrow')).toMatchObject({
      kind: 'invalid',
      command: 'my-tasks',
    });
    expect(parseCommand('time zone')).toMatchObject({ kind: 'invalid', command: 'time-zone' });
  });

  test('anything else is unknown, with the closest commands as suggestions', () => {
    const overdue = parseCommand('overdue');
    expect(overdue.kind).toBe('unknown');
    expect(overdue.kind === 'unknown' && overdue.suggestions).toEqual(
      expect.arrayContaining(['show overdue tasks', 'show overdue invoices']),
    );
    const weather = parseCommand('what is the weather in Paris');
    expect(weather.kind).toBe('unknown');
    expect(weather.kind === 'unknown' && weather.suggestions.length).toBeGreaterThan(0);
  });

  test('survives hostile and huge input without throwing', () => {
    const inputs = [
      '<script>alert(1)</script>',
      'a'.repeat(100_000),
      'show overdue invoices ' + 'x'.repeat(10_000),
      '\u0000\u0001\u202e show tasks',
      '<at>unterminated',
      '[link](javascript:alert(1))',
      'refresh ../../etc/passwd',
    ];
    for (const text of inputs) {
      const command = parseCommand(text);
      expect(typeof command.kind).toBe('string');
    }
    const long = parseCommand('show overdue invoices ' + 'x'.repeat(10_000));
    expect(long.kind === 'overdue-invoices' && (long.client ?? '').length).toBeLessThan(600);
  });

  test('every command the manifest lists parses to a real command', () => {
    for (const c of manifestCommands) {
      expect(['unknown', 'invalid']).not.toContain(parseCommand(c.title).kind);
    }
  });
});

describe('the manifest command list', () => {
  test('fits the limits of Teams commandLists', () => {
    expect(manifestCommands.length).toBeGreaterThan(0);
    expect(manifestCommands.length).toBeLessThanOrEqual(12);
    for (const c of manifestCommands) {
      expect(c.title.length).toBeLessThanOrEqual(32);
      expect(c.description.length).toBeLessThanOrEqual(128);
      expect(c.description.length).toBeGreaterThan(0);
    }
    expect(new Set(manifestCommands.map((c) => c.title)).size).toBe(manifestCommands.length);
  });

  test('covers every command the issue names', () => {
    const kinds = new Set(manifestCommands.map((c) => parseCommand(c.title).kind));
    for (const kind of [
      'help',
      'overdue-tasks',
      'my-tasks',
      'overdue-invoices',
      'summary',
      'clients',
      'refresh',
      'daily-summary-at',
      'daily-summary-off',
      'time-zone',
    ]) {
      expect(kinds).toContain(kind);
    }
  });
});

describe('small parsers', () => {
  test('cleanChatText removes tags and decodes entities', () => {
    expect(cleanChatText('<at>Bot</at>  <b>hi</b>&amp;&lt;x&gt;<br/>there')).toBe('hi &<x> there');
  });

  test('parseTimeOfDay reads 24-hour and am/pm times and refuses impossible ones', () => {
    expect(parseTimeOfDay('8')).toBe('08:00');
    expect(parseTimeOfDay('08:05')).toBe('08:05');
    expect(parseTimeOfDay('12am')).toBe('00:00');
    expect(parseTimeOfDay('12:30 pm')).toBe('12:30');
    expect(parseTimeOfDay('7.45 p.m.')).toBe('19:45');
    for (const bad of ['24:00', '8:60', '13pm', '0am', 'noon', '', '8:5']) {
      expect(parseTimeOfDay(bad)).toBeNull();
    }
  });

  test('canonicalTimeZone fixes case and refuses unknown or malformed names', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Asia/Kolkata')).toMatch(/^Asia\/(Kolkata|Calcutta)$/);
    expect(canonicalTimeZone('Nowhere/City')).toBeNull();
    expect(canonicalTimeZone('../../etc')).toBeNull();
    expect(canonicalTimeZone('x'.repeat(200))).toBeNull();
  });

  test('editDistance counts a swap of neighbours as one typo', () => {
    expect(editDistance('taks', 'task')).toBe(1);
    expect(editDistance('clinets', 'clients')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  test('the bounded and one-to-many edit distances give the same numbers as editDistance', () => {
    const words = [
      '',
      'a',
      'ab',
      'ba',
      'taks',
      'task',
      'tasks',
      'clinets',
      'clients',
      'kitten',
      'sitting',
      'müller',
      'muller',
      'bäckerei',
      'ca',
      'abc',
      'acb',
      'overdue invoices',
      'ovredue invocies',
      'contoso ltd',
      'contoso ltd 2',
      'adventure works cycles',
      'adventure works',
      // Longer than one 32-bit word of the bit-parallel form, and exactly one word long.
      'fabrikam manufacturing and distribution',
      'fabrikam manufacturing & distributon',
      'abcdefghijklmnopqrstuvwxyzabcdef',
      'bacdefghijklmnopqrstuvwxyzabcdfe',
    ];
    for (const a of words) {
      const from = distanceFrom(a);
      for (const b of words) {
        const d = editDistance(a, b);
        expect(editDistance(b, a)).toBe(d);
        expect(editDistanceLowerBound(a, b)).toBeLessThanOrEqual(d);
        expect(from(b, Number.POSITIVE_INFINITY)).toBe(d);
        for (const max of [0, 1, 2, 5]) {
          const bounded = d <= max ? d : max + 1;
          expect(editDistanceWithin(a, b, max)).toBe(bounded);
          expect(from(b, max)).toBe(bounded);
        }
      }
    }
  });

  test('suggestCommands ranks commands that share words first', () => {
    expect(suggestCommands('invoices please')[0]).toBe('show overdue invoices');
    expect(suggestCommands('daily')[0]).toMatch(/^daily summary/);
  });
});

describe('matchClient', () => {
  const clients = [
    { id: 'c1', name: 'Contoso Ltd', companyNames: ['Contoso UK', 'Contoso US'] },
    { id: 'c2', name: 'Fabrikam, Inc.', companyNames: ['Fabrikam Manufacturing'] },
    { id: 'c3', name: 'Adatum Corporation', companyNames: ['CRONUS USA, Inc.'] },
    { id: 'c4', name: 'Adventure Works', companyNames: [] },
    { id: 'c5', name: 'Adventure Works Cycles', companyNames: [] },
  ];

  test('finds the client by exact name, prefix, company name or with a typo', () => {
    expect(matchClient('contoso ltd', clients)).toMatchObject({
      kind: 'one',
      client: { id: 'c1' },
    });
    expect(matchClient('Contoso', clients)).toMatchObject({ kind: 'one', client: { id: 'c1' } });
    expect(matchClient('fabrikam', clients)).toMatchObject({ kind: 'one', client: { id: 'c2' } });
    expect(matchClient('Fabrikm', clients)).toMatchObject({ kind: 'one', client: { id: 'c2' } });
    expect(matchClient('cronus', clients)).toMatchObject({ kind: 'one', client: { id: 'c3' } });
    expect(matchClient('ADATUM CORP.', clients)).toMatchObject({
      kind: 'one',
      client: { id: 'c3' },
    });
  });

  test('prefers an exact name over a longer one that starts with it', () => {
    expect(matchClient('Adventure Works', clients)).toMatchObject({
      kind: 'one',
      client: { id: 'c4' },
    });
  });

  test('asks when several clients match equally', () => {
    const result = matchClient('adventure', clients);
    expect(result.kind).toBe('ambiguous');
    expect(result.kind === 'ambiguous' && result.candidates.map((c) => c.id).sort()).toEqual([
      'c4',
      'c5',
    ]);
  });

  test('says when nothing matches and offers the nearest names', () => {
    const result = matchClient('Northwind Traders', clients);
    expect(result.kind).toBe('none');
    expect(result.kind === 'none' && result.suggestions.length).toBeGreaterThan(0);
    expect(matchClient('anything', [])).toEqual({ kind: 'none', suggestions: [] });
    expect(matchClient('!!!', clients).kind).toBe('none');
  });

  test('the nearest names come first, and equally near ones in list order', () => {
    const list = [
      { id: 'far', name: 'Northwind Traders' },
      { id: 'two-a', name: 'Litwarx Inc' },
      { id: 'one', name: 'Litware Inc' },
      { id: 'two-b', name: 'Litwara Inc' },
      { id: 'nameless', name: '!!!' },
    ];
    const result = matchClient('Litware Inc Corp', list);
    expect(result.kind).toBe('none');
    expect(result.kind === 'none' && result.suggestions.map((c) => c.id)).toEqual([
      'one',
      'two-a',
      'two-b',
    ]);
  });

  describe('among two thousand clients', () => {
    const owners = ['Müller', 'Schmidt', "O'Brien", 'García', 'Nowak', 'Rossi', 'Jansen', 'Novák'];
    const trades = ['Bäckerei', 'Consulting', 'Logistics', 'Dental Practice', 'Garage'];
    const forms = ['GmbH', 'Ltd.', 'S.A.R.L.', 'B.V.', '& Sons'];
    const many = Array.from({ length: 2_000 }, (_, i) => {
      const owner = owners[i % owners.length] ?? '';
      const trade = trades[Math.floor(i / owners.length) % trades.length] ?? '';
      const form = forms[Math.floor(i / (owners.length * trades.length)) % forms.length] ?? '';
      return { id: `m${i}`, name: `${owner} ${trade} ${form} ${i}`, companyNames: [] };
    });
    const special = {
      id: 'lindqvist',
      name: 'Lindqvist Arkitekter AB',
      companyNames: ['LQV Nord'],
    };
    const clients = [...many.slice(0, 1_234), special, ...many.slice(1_234)];

    test('an exact name, a typo, a company name and a prefix each find the one client', () => {
      for (const typed of [
        'Lindqvist Arkitekter AB',
        'lindqvst arkitekter',
        'Lindkvist Arkitekter AB',
        'lqv nord',
        'Lindqvist',
      ]) {
        expect(matchClient(typed, clients)).toMatchObject({
          kind: 'one',
          client: { id: 'lindqvist' },
        });
      }
      expect(matchClient('muller backerei gmbh 1000', clients)).toMatchObject({
        kind: 'one',
        client: { id: 'm1000' },
      });
    });

    test('a name many clients share asks among the first few', () => {
      const result = matchClient('Rossi Garage', clients);
      expect(result.kind).toBe('ambiguous');
      expect(result.kind === 'ambiguous' && result.candidates.length).toBe(5);
      for (const c of result.kind === 'ambiguous' ? result.candidates : []) {
        expect(c.name).toMatch(/^Rossi Garage /);
      }
    });

    test('a name no client has suggests the nearest ones', () => {
      const result = matchClient('Lindqvist Arkitekter Oy Helsinki', clients);
      expect(result.kind).toBe('none');
      expect(result.kind === 'none' && result.suggestions[0]?.id).toBe('lindqvist');
    });
  });
});
