/**
 * The OData query subset Business Central supports and the hub uses: `$filter` with
 * eq/ne/gt/ge/lt/le, `and`, `or` (same field only, as BC), `not`, `startswith`/`endswith`/
 * `contains`; `$select`, `$orderby`, `$top`, `$skip`. Strings are single-quoted with `''` for a
 * quote; dates, date-times, numbers and GUIDs are unquoted. Anything else is refused with BC's
 * error shape, so a client that builds a query BC would reject fails here too.
 */
import { BcHttpError, querySyntaxError, unknownProperty } from './bc-errors.js';
import { isIsoDate } from '../domain/dates.js';

/** The type of an entity property, which decides which literals a filter may compare it with. */
export type PropType =
  | { readonly kind: 'string' }
  | { readonly kind: 'guid' }
  | { readonly kind: 'date' }
  | { readonly kind: 'datetime' }
  | { readonly kind: 'number' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly members: readonly string[] };

/** Shorthands for property types. */
export const t = {
  string: { kind: 'string' },
  guid: { kind: 'guid' },
  date: { kind: 'date' },
  datetime: { kind: 'datetime' },
  number: { kind: 'number' },
  boolean: { kind: 'boolean' },
  enum: (members: readonly string[]): PropType => ({ kind: 'enum', members }),
} as const satisfies Record<string, PropType | ((m: readonly string[]) => PropType)>;

/** The properties of one entity type, for validating queries against it. */
export interface EntityShape {
  /** OData type name used in error messages, e.g. `Microsoft.NAV.salesInvoice`. */
  readonly typeName: string;
  readonly props: Readonly<Record<string, PropType>>;
}

export type WireValue = string | number | boolean | null;
/** An entity as it goes on the wire. */
export type WireRow = Record<string, WireValue>;

type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
type FnName = 'startswith' | 'endswith' | 'contains';
type LiteralValue = string | number | boolean | null;

/** A parsed `$filter` expression. */
export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | {
      readonly kind: 'cmp';
      readonly op: CompareOp;
      readonly prop: string;
      readonly value: LiteralValue;
    }
  | { readonly kind: 'fn'; readonly fn: FnName; readonly prop: string; readonly value: string };

export interface OrderBy {
  readonly prop: string;
  readonly desc: boolean;
}

/** The checked `$` options of one request. */
export interface ParsedQuery {
  readonly filter: FilterNode | null;
  readonly select: readonly string[] | null;
  readonly orderby: readonly OrderBy[];
  readonly top: number | null;
  readonly skip: number;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { readonly kind: 'lparen' | 'rparen' | 'comma'; readonly at: number }
  | { readonly kind: 'ident'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: 'date' | 'datetime' | 'guid'; readonly text: string; readonly at: number };

const GUID_RE =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z_-])/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\dA-Za-z_])/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') tokens.push({ kind: 'lparen', at: i++ });
    else if (c === ')') tokens.push({ kind: 'rparen', at: i++ });
    else if (c === ',') tokens.push({ kind: 'comma', at: i++ });
    else if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length)
          throw querySyntaxError(`Unterminated string literal at position ${i}.`);
        const ch = text[j];
        if (ch === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += ch;
        j++;
      }
      tokens.push({ kind: 'string', text: value, at: i });
      i = j + 1;
    } else {
      const rest = text.slice(i);
      const guid = GUID_RE.exec(rest);
      const datetime = guid ? null : DATETIME_RE.exec(rest);
      const date = guid || datetime ? null : DATE_RE.exec(rest);
      const number = guid || datetime || date ? null : NUMBER_RE.exec(rest);
      const ident = guid || datetime || date || number ? null : IDENT_RE.exec(rest);
      if (guid) tokens.push({ kind: 'guid', text: guid[0].toLowerCase(), at: i });
      else if (datetime) tokens.push({ kind: 'datetime', text: datetime[0], at: i });
      else if (date) tokens.push({ kind: 'date', text: date[0], at: i });
      else if (number) tokens.push({ kind: 'number', value: Number(number[0]), at: i });
      else if (ident) tokens.push({ kind: 'ident', text: ident[0], at: i });
      else throw querySyntaxError(`Syntax error at position ${i} in '${text}'.`);
      const len = (guid ?? datetime ?? date ?? number ?? ident)?.[0].length ?? 1;
      i += len;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Filter parser

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS: ReadonlySet<string> = new Set(['startswith', 'endswith', 'contains']);

/** Decodes `_xHHHH_` so `'In Review'` and `'In_x0020_Review'` name the same member. */
function decodeXmlName(s: string): string {
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

class FilterParser {
  private pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly shape: EntityShape,
    private readonly source: string,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw querySyntaxError('The $filter expression is empty.');
    const node = this.parseOr();
    const extra = this.tokens[this.pos];
    if (extra) throw querySyntaxError(`Syntax error at position ${extra.at} in '${this.source}'.`);
    return node;
  }

  private peekKeyword(word: string): boolean {
    const tok = this.tokens[this.pos];
    return tok?.kind === 'ident' && tok.text === word;
  }

  private next(): Token {
    const tok = this.tokens[this.pos++];
    if (!tok) throw querySyntaxError(`Unexpected end of the $filter expression '${this.source}'.`);
    return tok;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.peekKeyword('or')) {
      this.pos++;
      const right = this.parseAnd();
      left = { kind: 'or', left, right };
      if (fieldsOf(left).size > 1) {
        throw new BcHttpError(
          400,
          'BadRequest',
          "The 'OR' operator is not supported on distinct fields on an OData filter.",
        );
      }
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.peekKeyword('and')) {
      this.pos++;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.peekKeyword('not')) {
      this.pos++;
      return { kind: 'not', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterNode {
    const tok = this.next();
    if (tok.kind === 'lparen') {
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== 'rparen') throw querySyntaxError(`Expected ')' at position ${close.at}.`);
      return inner;
    }
    if (tok.kind !== 'ident') {
      throw querySyntaxError(`Expected a property name at position ${tok.at} in '${this.source}'.`);
    }
    const following = this.tokens[this.pos];
    if (following?.kind === 'lparen') {
      if (!FUNCTIONS.has(tok.text)) {
        throw querySyntaxError(`An unknown function with name '${tok.text}' was found.`);
      }
      this.pos++;
      const propTok = this.next();
      if (propTok.kind !== 'ident')
        throw querySyntaxError(`Expected a property name at position ${propTok.at}.`);
      const propType = this.propType(propTok.text);
      if (propType.kind !== 'string' && propType.kind !== 'enum') {
        throw new BcHttpError(
          400,
          'BadRequest',
          `The function '${tok.text}' needs a text property, not '${propTok.text}'.`,
        );
      }
      const comma = this.next();
      if (comma.kind !== 'comma') throw querySyntaxError(`Expected ',' at position ${comma.at}.`);
      const lit = this.next();
      if (lit.kind !== 'string')
        throw querySyntaxError(`Expected a string literal at position ${lit.at}.`);
      const close = this.next();
      if (close.kind !== 'rparen') throw querySyntaxError(`Expected ')' at position ${close.at}.`);
      return { kind: 'fn', fn: tok.text as FnName, prop: propTok.text, value: lit.text };
    }
    const propType = this.propType(tok.text);
    const opTok = this.next();
    if (opTok.kind !== 'ident' || !COMPARE_OPS.has(opTok.text)) {
      const word = opTok.kind === 'ident' ? opTok.text : '';
      if (word === 'in') {
        throw querySyntaxError(
          "The 'in' operator needs $schemaversion=2.1, which this service does not offer.",
        );
      }
      throw querySyntaxError(
        `Expected a comparison operator at position ${opTok.at} in '${this.source}'.`,
      );
    }
    const value = this.literalFor(tok.text, propType, this.next(), opTok.text as CompareOp);
    return { kind: 'cmp', op: opTok.text as CompareOp, prop: tok.text, value };
  }

  private propType(name: string): PropType {
    const type = this.shape.props[name];
    if (!type) throw unknownProperty(name, this.shape.typeName);
    return type;
  }

  private literalFor(prop: string, type: PropType, tok: Token, op: CompareOp): LiteralValue {
    const incompatible = (found: string): BcHttpError =>
      new BcHttpError(
        400,
        'BadRequest',
        `A binary operator with incompatible types was detected. Found operand types '${edmName(type)}' and '${found}' for the property '${prop}'.`,
      );
    if (tok.kind === 'ident' && tok.text === 'null') {
      if (op !== 'eq' && op !== 'ne') throw incompatible('null');
      return null;
    }
    switch (type.kind) {
      case 'string':
        if (tok.kind !== 'string') throw incompatible(tokenEdm(tok));
        return tok.text;
      case 'enum': {
        if (tok.kind !== 'string') throw incompatible(tokenEdm(tok));
        const member = type.members.find((m) => m === tok.text || decodeXmlName(m) === tok.text);
        if (member === undefined) {
          throw new BcHttpError(
            400,
            'BadRequest',
            `The value '${tok.text}' is not valid for the property '${prop}'. The existing options are: ${type.members.join(',')}.`,
          );
        }
        return member;
      }
      case 'guid':
        if (tok.kind === 'guid') return tok.text;
        if (tok.kind === 'string' && GUID_RE.test(tok.text)) return tok.text.toLowerCase();
        if (tok.kind === 'string')
          throw new BcHttpError(400, 'Application_InvalidGUID', 'Invalid format of GUID string.');
        throw incompatible(tokenEdm(tok));
      case 'date':
        if (tok.kind !== 'date') throw incompatible(tokenEdm(tok));
        if (!isIsoDate(tok.text))
          throw new BcHttpError(400, 'BadRequest', `Unable to convert '${tok.text}' to Date.`);
        return tok.text;
      case 'datetime':
        if (tok.kind !== 'datetime' || Number.isNaN(Date.parse(tok.text)))
          throw incompatible(tokenEdm(tok));
        return tok.text;
      case 'number':
        if (tok.kind !== 'number') throw incompatible(tokenEdm(tok));
        return tok.value;
      case 'boolean':
        if (tok.kind !== 'ident' || (tok.text !== 'true' && tok.text !== 'false'))
          throw incompatible(tokenEdm(tok));
        return tok.text === 'true';
    }
  }
}

function edmName(type: PropType): string {
  switch (type.kind) {
    case 'string':
      return 'Edm.String';
    case 'enum':
      return 'Edm.Enum';
    case 'guid':
      return 'Edm.Guid';
    case 'date':
      return 'Edm.Date';
    case 'datetime':
      return 'Edm.DateTimeOffset';
    case 'number':
      return 'Edm.Decimal';
    case 'boolean':
      return 'Edm.Boolean';
  }
}

function tokenEdm(tok: Token): string {
  switch (tok.kind) {
    case 'string':
      return 'Edm.String';
    case 'number':
      return 'Edm.Decimal';
    case 'date':
      return 'Edm.Date';
    case 'datetime':
      return 'Edm.DateTimeOffset';
    case 'guid':
      return 'Edm.Guid';
    case 'ident':
      return tok.text === 'true' || tok.text === 'false' ? 'Edm.Boolean' : tok.text;
    default:
      return tok.kind;
  }
}

/** The properties a filter node mentions. */
export function fieldsOf(node: FilterNode, into = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'and':
    case 'or':
      fieldsOf(node.left, into);
      fieldsOf(node.right, into);
      break;
    case 'not':
      fieldsOf(node.operand, into);
      break;
    case 'cmp':
    case 'fn':
      into.add(node.prop);
      break;
  }
  return into;
}

/** Parses a `$filter` against an entity shape; throws a BC error on anything unsupported. */
export function parseFilter(text: string, shape: EntityShape): FilterNode {
  return new FilterParser(tokenize(text), shape, text).parse();
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function compareValues(a: WireValue, b: LiteralValue, type: PropType): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  switch (type.kind) {
    case 'number':
      return Number(a) - Number(b);
    case 'datetime':
      return Date.parse(String(a)) - Date.parse(String(b));
    case 'boolean':
      return Number(a) - Number(b);
    case 'guid': {
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** Reads one property of an item: a rendered row, or a source record rendered lazily. */
export type PropReader<T> = (item: T, prop: string) => WireValue;

/** Whether an item satisfies a parsed filter, reading its properties with `get`. */
export function matches<T>(
  item: T,
  node: FilterNode,
  shape: EntityShape,
  get: PropReader<T>,
): boolean {
  switch (node.kind) {
    case 'and':
      return matches(item, node.left, shape, get) && matches(item, node.right, shape, get);
    case 'or':
      return matches(item, node.left, shape, get) || matches(item, node.right, shape, get);
    case 'not':
      return !matches(item, node.operand, shape, get);
    case 'fn': {
      const v = String(get(item, node.prop) ?? '');
      const needle = node.value;
      if (node.fn === 'startswith') return v.startsWith(needle);
      if (node.fn === 'endswith') return v.endsWith(needle);
      return v.includes(needle);
    }
    case 'cmp': {
      const type = shape.props[node.prop] ?? t.string;
      const value = get(item, node.prop);
      const c = compareValues(value === '' && node.value === null ? null : value, node.value, type);
      switch (node.op) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'gt':
          return c > 0;
        case 'ge':
          return c >= 0;
        case 'lt':
          return c < 0;
        case 'le':
          return c <= 0;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Query options

/** Query options the sample accepts without effect. */
const IGNORED_OPTIONS: ReadonlySet<string> = new Set(['$schemaversion', '$format']);
const OPTIONS: ReadonlySet<string> = new Set([
  '$filter',
  '$select',
  '$orderby',
  '$top',
  '$skip',
  '$skiptoken',
]);

function nonNegativeInt(option: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw.trim())) {
    throw querySyntaxError(
      `Invalid value '${raw}' for the query option '${option}': expected a non-negative integer.`,
    );
  }
  return Number(raw.trim());
}

/** Parses and checks the `$` options of a request against the entity it addresses. */
export function parseQuery(params: URLSearchParams, shape: EntityShape): ParsedQuery {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!key.startsWith('$')) continue;
    if (seen.has(key))
      throw querySyntaxError(`Query option '${key}' was specified more than once.`);
    seen.add(key);
    if (!OPTIONS.has(key) && !IGNORED_OPTIONS.has(key)) {
      throw querySyntaxError(`The query parameter '${key}' is not supported.`);
    }
  }
  const format = params.get('$format');
  if (format !== null && format !== 'json' && format !== 'application/json') {
    throw new BcHttpError(415, 'BadRequest', `The format '${format}' is not supported.`);
  }

  const filterText = params.get('$filter');
  const filter = filterText === null ? null : parseFilter(filterText, shape);

  const selectText = params.get('$select');
  let select: string[] | null = null;
  if (selectText !== null) {
    const names = selectText.split(',').map((s) => s.trim());
    if (names.includes('*')) select = null;
    else {
      for (const name of names) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
          throw querySyntaxError(`Invalid $select item '${name}'.`);
        if (!shape.props[name]) throw unknownProperty(name, shape.typeName);
      }
      select = [...new Set(names)];
    }
  }

  const orderbyText = params.get('$orderby');
  const orderby: OrderBy[] = [];
  if (orderbyText !== null) {
    for (const part of orderbyText.split(',')) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/.exec(part);
      if (!m || m[1] === undefined)
        throw querySyntaxError(`Invalid $orderby item '${part.trim()}'.`);
      if (!shape.props[m[1]]) throw unknownProperty(m[1], shape.typeName);
      orderby.push({ prop: m[1], desc: m[2] === 'desc' });
    }
  }

  const topText = params.get('$top');
  const skipText = params.get('$skip');
  return {
    filter,
    select,
    orderby,
    top: topText === null ? null : nonNegativeInt('$top', topText),
    skip: skipText === null ? 0 : nonNegativeInt('$skip', skipText),
  };
}

/**
 * Filters, sorts and applies `$skip`/`$top` (paging is the server's job) to items whose
 * properties `get` reads: rendered rows, or source records rendered property by property, so a
 * large set is queried without rendering the rows that are not sent.
 */
export function applyQuery<T>(
  items: readonly T[],
  query: ParsedQuery,
  shape: EntityShape,
  get: PropReader<T>,
): T[] {
  const filter = query.filter;
  let out = filter === null ? [...items] : items.filter((r) => matches(r, filter, shape, get));
  if (query.orderby.length > 0) {
    const keyed = out.map((item, index) => ({ item, index }));
    keyed.sort((a, b) => {
      for (const o of query.orderby) {
        const type = shape.props[o.prop] ?? t.string;
        const c = compareValues(get(a.item, o.prop), get(b.item, o.prop), type);
        if (c !== 0) return o.desc ? -c : c;
      }
      return a.index - b.index;
    });
    out = keyed.map((k) => k.item);
  }
  if (query.skip > 0) out = out.slice(query.skip);
  if (query.top !== null) out = out.slice(0, query.top);
  return out;
}
