/**
 * The chat command parser: what the accountant typed → a {@link Command}. Pure.
 *
 * People type to a bot the way they type to a colleague: with the `<at>Bot</at>` mention Teams
 * puts in group chats, capitals, trailing punctuation, "please", and the odd typo. So keywords
 * match with a small edit distance, fillers are ignored, and anything that is not a command comes
 * back as `unknown` with the closest commands to suggest.
 */
import {
  editDistance,
  distanceFrom,
  editDistanceWithin,
  isCloseWord,
  normalizeWords,
  typoAllowance,
  wordsOf,
} from './text-match.js';

/** Which tasks `show my tasks` lists. */
export type TaskRange = 'today' | 'this-week' | 'all';

export type RefreshTarget =
  { readonly kind: 'all' } | { readonly kind: 'client'; readonly name: string };

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'overdue-tasks' }
  | { readonly kind: 'my-tasks'; readonly range: TaskRange }
  /** `client` is what was typed after the command, matched against client names later. */
  | { readonly kind: 'overdue-invoices'; readonly client: string | null }
  | { readonly kind: 'summary' }
  | { readonly kind: 'clients' }
  | { readonly kind: 'refresh'; readonly target: RefreshTarget }
  | { readonly kind: 'daily-summary-at'; readonly time: string }
  | { readonly kind: 'daily-summary-on' }
  | { readonly kind: 'daily-summary-off' }
  | { readonly kind: 'daily-summary-status' }
  | { readonly kind: 'time-zone'; readonly timeZone: string }
  /** A command was recognised but its argument was not: say what is wrong and show the usage. */
  | {
      readonly kind: 'invalid';
      readonly command: string;
      readonly problem: string;
      readonly usage: string;
    }
  | { readonly kind: 'unknown'; readonly text: string; readonly suggestions: readonly string[] };

export type CommandKind = Command['kind'];

/**
 * The most raw message text that is cleaned. A command is a short sentence (only its first 500
 * cleaned characters count), and the tag patterns below backtrack over the rest of the text for
 * every unclosed `<at`/`<`: on a 200 KB message of `<at>` that took ~10 s of blocked event loop.
 */
const maxRawChatChars = 4_000;

/**
 * Removes Teams' mention markup (`<at>Accountant Hub</at>`), other HTML tags and entities, so
 * only what the person typed is left.
 */
export function cleanChatText(raw: string): string {
  return raw
    .slice(0, maxRawChatChars)
    .replace(/<at\b[^>]*>[\s\S]*?<\/at>/gi, ' ')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A word of the message with where it came from, so arguments can be cut from the raw text. */
interface Word {
  readonly word: string;
  readonly rawIndex: number;
}

type ArgKind = 'none' | 'range' | 'client' | 'refresh' | 'daily' | 'time-zone';

interface Slot {
  readonly words: readonly string[];
  readonly optional?: boolean;
}

interface Template {
  readonly name: string;
  readonly usage: string;
  readonly slots: readonly Slot[];
  readonly arg: ArgKind;
}

const verb: Slot = {
  words: ['show', 'list', 'get', 'see', 'view', 'give', 'display'],
  optional: true,
};
const me: Slot = { words: ['me', 'us'], optional: true };
const my: Slot = { words: ['my', 'the', 'all'], optional: true };

const templates: readonly Template[] = [
  {
    name: 'help',
    usage: 'help',
    slots: [{ words: ['help', 'commands', 'menu', 'usage'] }],
    arg: 'none',
  },
  {
    name: 'help',
    usage: 'help',
    slots: [{ words: ['what'] }, { words: ['can'] }, { words: ['you'] }, { words: ['do'] }],
    arg: 'none',
  },
  {
    name: 'overdue-tasks',
    usage: 'show overdue tasks',
    slots: [verb, me, my, { words: ['overdue', 'late'] }, { words: ['tasks', 'task', 'todos'] }],
    arg: 'none',
  },
  {
    name: 'my-tasks',
    usage: 'show my tasks [today|this week]',
    slots: [verb, me, my, { words: ['tasks', 'task', 'todos'] }],
    arg: 'range',
  },
  {
    name: 'overdue-invoices',
    usage: 'show overdue invoices [client]',
    slots: [
      verb,
      me,
      my,
      { words: ['overdue', 'late', 'unpaid'], optional: true },
      { words: ['invoices', 'invoice', 'bills'] },
    ],
    arg: 'client',
  },
  {
    name: 'summary',
    usage: 'summary',
    slots: [verb, me, my, { words: ['summary', 'overview', 'dashboard'] }],
    arg: 'none',
  },
  {
    name: 'clients',
    usage: 'clients',
    slots: [verb, me, my, { words: ['clients', 'client', 'companies'] }],
    arg: 'none',
  },
  {
    name: 'refresh',
    usage: 'refresh [client|all]',
    slots: [{ words: ['refresh', 'reload', 'update', 'sync'] }],
    arg: 'refresh',
  },
  {
    name: 'daily-summary',
    usage: 'daily summary at 8:00 | daily summary off',
    slots: [{ words: ['daily'] }, { words: ['summary', 'digest'] }],
    arg: 'daily',
  },
  {
    name: 'time-zone',
    usage: 'time zone Europe/Berlin',
    slots: [
      { words: ['set'], optional: true },
      { words: ['my'], optional: true },
      { words: ['time'] },
      { words: ['zone'] },
    ],
    arg: 'time-zone',
  },
  {
    name: 'time-zone',
    usage: 'time zone Europe/Berlin',
    slots: [
      { words: ['set'], optional: true },
      { words: ['my'], optional: true },
      { words: ['timezone', 'tz'] },
    ],
    arg: 'time-zone',
  },
];

/** Politeness around a command, ignored at the start and the end. */
const leadingFillers = new Set([
  'please',
  'pls',
  'plz',
  'hey',
  'hi',
  'hello',
  'can',
  'could',
  'would',
  'you',
  'bot',
  'ok',
  'okay',
]);
const trailingFillers = new Set([
  'please',
  'pls',
  'plz',
  'thanks',
  'thank',
  'thx',
  'now',
  'for',
  'me',
]);

/** The commands offered when nothing matched, in the order they are most useful. */
const commandExamples: readonly string[] = [
  'help',
  'show overdue tasks',
  'show my tasks today',
  'show my tasks this week',
  'show overdue invoices',
  'summary',
  'clients',
  'refresh all',
  'daily summary at 8:00',
  'daily summary off',
  'time zone Europe/Berlin',
];

/** Splits the raw text into words, remembering which raw token each came from. */
function wordsWithOrigin(rawTokens: readonly string[]): Word[] {
  const out: Word[] = [];
  rawTokens.forEach((token, rawIndex) => {
    for (const word of wordsOf(token)) out.push({ word, rawIndex });
  });
  return out;
}

interface TemplateMatch {
  readonly template: Template;
  /** Index in `words` where the argument starts. */
  readonly argStart: number;
  readonly typos: number;
  readonly matched: number;
}

function matchTemplate(template: Template, words: readonly Word[]): TemplateMatch | null {
  let i = 0;
  let typos = 0;
  let matched = 0;
  for (const slot of template.slots) {
    const w = words[i];
    const best = w === undefined ? null : closest(w.word, slot.words);
    if (best !== null) {
      i++;
      typos += best;
      matched++;
    } else if (!slot.optional) {
      return null;
    }
  }
  return { template, argStart: i, typos, matched };
}

/** The distance to the closest candidate when it is within the typo allowance, else null. */
function closest(word: string, candidates: readonly string[]): number | null {
  let best: number | null = null;
  for (const c of candidates) {
    const allowed = typoAllowance(c);
    const d = editDistanceWithin(word, c, allowed);
    if (d > allowed) continue;
    if (best === null || d < best) best = d;
    if (best === 0) return 0;
  }
  return best;
}

const allWords = [
  'all',
  'everything',
  'everyone',
  'everybody',
  'clients',
  'companies',
  'my',
  'the',
];

/** "all", "all clients", "everything": the whole list rather than one client. */
function isAll(words: readonly string[]): boolean {
  const meaningful = words.filter((w) => w !== 'my' && w !== 'the');
  return (
    meaningful.length > 0 &&
    meaningful.length <= 2 &&
    meaningful.every((w) => allWords.some((a) => isCloseWord(w, a)))
  );
}

/** Parses `8:00`, `08:00`, `8`, `8am`, `8.30 pm`, `20h15` into `HH:MM` (24-hour), or null. */
export function parseTimeOfDay(text: string): string | null {
  const m = /^(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i.exec(text.trim());
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3]?.toLowerCase().replace(/\./g, '');
  if (minute > 59) return null;
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

let zoneNames: ReadonlyMap<string, string> | null = null;

/**
 * The IANA name of a time zone typed in any case (`europe/berlin` → `Europe/Berlin`), or null when
 * the runtime does not know it. `UTC` and its aliases are accepted too.
 */
export function canonicalTimeZone(text: string): string | null {
  const typed = text.trim().replace(/\s+/g, '_');
  if (typed === '' || typed.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(typed)) return null;
  if (zoneNames === null) {
    zoneNames = new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  }
  const known = zoneNames.get(typed.toLowerCase());
  if (known !== undefined) return known;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: typed }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

type ArgResult = { readonly command: Command } | { readonly problem: string } | null;

/** Interprets what follows the keywords. null: the words do not fit this command at all. */
function interpretArg(template: Template, argWords: readonly string[], argRaw: string): ArgResult {
  switch (template.arg) {
    case 'none':
      return argWords.length === 0 ? { command: commandFor(template.name) } : null;
    case 'range': {
      const text = argWords.join(' ');
      if (text === '' || isAll(argWords)) return { command: { kind: 'my-tasks', range: 'all' } };
      if (argWords.length === 1 && isCloseWord(text, 'today')) {
        return { command: { kind: 'my-tasks', range: 'today' } };
      }
      const w = argWords.filter((x) => !['this', 'for', 'the', 'due'].includes(x));
      if (w.length === 1 && isCloseWord(w[0] ?? '', 'week')) {
        return { command: { kind: 'my-tasks', range: 'this-week' } };
      }
      if (
        argWords.length <= 2 &&
        argWords.every(
          (x) =>
            ['due', 'for', 'this', 'tomorrow', 'month', 'next', 'later'].includes(x) ||
            /^\d+$/.test(x),
        )
      ) {
        return {
          problem: `I can show your tasks for today, this week, or all of them, not "${argRaw}".`,
        };
      }
      return null;
    }
    case 'client': {
      const name = stripLeading(argRaw, ['for', 'of', 'from', 'at', 'client']);
      return {
        command: {
          kind: 'overdue-invoices',
          client: name === '' || isAll(wordsOf(name)) ? null : name,
        },
      };
    }
    case 'refresh': {
      const name = stripLeading(argRaw, ['client', 'the']);
      if (name === '' || isAll(wordsOf(name)))
        return { command: { kind: 'refresh', target: { kind: 'all' } } };
      return { command: { kind: 'refresh', target: { kind: 'client', name } } };
    }
    case 'daily': {
      const text = argWords.join(' ');
      if (text === '') return { command: { kind: 'daily-summary-status' } };
      if (
        argWords.length === 1 &&
        ['off', 'stop', 'disable', 'disabled', 'no', 'none', 'cancel'].some((w) =>
          isCloseWord(text, w),
        )
      ) {
        return { command: { kind: 'daily-summary-off' } };
      }
      if (
        argWords.length === 1 &&
        ['on', 'start', 'enable', 'enabled', 'yes'].some((w) => isCloseWord(text, w))
      ) {
        return { command: { kind: 'daily-summary-on' } };
      }
      const timeText = stripLeading(argRaw, ['at', 'to', 'for', 'on']);
      const time = parseTimeOfDay(timeText);
      if (time !== null) return { command: { kind: 'daily-summary-at', time } };
      return {
        problem: `"${timeText}" is not a time of day. Try 8:00, 7:30 or 18:00 (24-hour), or "off".`,
      };
    }
    case 'time-zone': {
      const typed = stripLeading(argRaw, ['to', 'is', '=']);
      if (typed === '')
        return {
          problem:
            'Say which time zone, as an IANA name such as Europe/Berlin or America/New_York.',
        };
      const zone = canonicalTimeZone(typed);
      if (zone !== null) return { command: { kind: 'time-zone', timeZone: zone } };
      return {
        problem: `I don't know the time zone "${typed}". Use an IANA name such as Europe/Berlin, America/New_York or Asia/Tokyo.`,
      };
    }
  }
}

function commandFor(name: string): Command {
  switch (name) {
    case 'help':
      return { kind: 'help' };
    case 'overdue-tasks':
      return { kind: 'overdue-tasks' };
    case 'summary':
      return { kind: 'summary' };
    case 'clients':
      return { kind: 'clients' };
    default:
      throw new Error(`Template ${name} takes arguments`);
  }
}

/** Drops a leading word (any of `words`, case-insensitive) from raw text, and edge punctuation. */
function stripLeading(raw: string, words: readonly string[]): string {
  let text = trimPunctuation(raw);
  for (;;) {
    const first = text.split(' ')[0] ?? '';
    if (first !== '' && words.includes(first.toLowerCase())) {
      text = trimPunctuation(text.slice(first.length));
    } else {
      return text;
    }
  }
}

/** Trims sentence punctuation from the ends, keeping what a name or time zone may contain. */
function trimPunctuation(text: string): string {
  return text.replace(/^[\s.,;:!?¡¿"'`()[\]{}]+|[\s.,;!?"'`()[\]{}]+$/g, '').trim();
}

/** Parses one chat message into a command. Never throws. */
export function parseCommand(rawText: string): Command {
  const cleaned = cleanChatText(rawText).slice(0, 500);
  let rawTokens = cleaned.split(' ').filter((t) => t !== '');
  // Fillers only count when the whole token is one ("please," yes; "please-refresh" no).
  while (rawTokens.length > 0 && leadingFillers.has(normalizeWords(rawTokens[0] ?? '')))
    rawTokens = rawTokens.slice(1);
  while (
    rawTokens.length > 0 &&
    trailingFillers.has(normalizeWords(rawTokens[rawTokens.length - 1] ?? ''))
  ) {
    rawTokens = rawTokens.slice(0, -1);
  }
  const words = wordsWithOrigin(rawTokens);
  if (words.length === 0) return { kind: 'help' };

  let best: { match: TemplateMatch; result: ArgResult & object } | null = null;
  for (const template of templates) {
    const match = matchTemplate(template, words);
    if (match === null) continue;
    const argWords = words.slice(match.argStart).map((w) => w.word);
    const firstArg = words[match.argStart];
    const argRaw = firstArg === undefined ? '' : rawTokens.slice(firstArg.rawIndex).join(' ');
    const result = interpretArg(template, argWords, argRaw);
    if (result === null) continue;
    if (best === null || isBetter(match, result, best.match, best.result)) best = { match, result };
  }
  if (best !== null) {
    if ('command' in best.result) return best.result.command;
    return {
      kind: 'invalid',
      command: best.match.template.name,
      problem: best.result.problem,
      usage: best.match.template.usage,
    };
  }
  return { kind: 'unknown', text: cleaned, suggestions: suggestCommands(cleaned) };
}

/** A full command beats a recognised-but-invalid one; then fewer typos; then more keywords. */
function isBetter(
  a: TemplateMatch,
  ar: ArgResult & object,
  b: TemplateMatch,
  br: ArgResult & object,
): boolean {
  const aValid = 'command' in ar ? 1 : 0;
  const bValid = 'command' in br ? 1 : 0;
  if (aValid !== bValid) return aValid > bValid;
  if (a.typos !== b.typos) return a.typos < b.typos;
  return a.matched > b.matched;
}

/** The command examples as {@link suggestCommands} compares them, worked out once. */
const exampleIndex = commandExamples.map((example, order) => {
  const words = wordsOf(example).map((word) => ({
    word,
    /** A typed word within this many typos counts as sharing the example's word. */
    allowed: Math.max(1, Math.floor(word.length / 3)),
  }));
  return { example, order, words, text: words.map((w) => w.word).join(' ') };
});

/** Offered when no example shares a word with what was typed. */
const fallbackExamples = new Set(['help', 'show overdue tasks', 'summary']);

/** Up to three commands closest to what was typed, for the "did you mean" help card. */
export function suggestCommands(text: string, limit = 3): string[] {
  const typed = wordsOf(text);
  const scored = exampleIndex.map(({ example, order, words, text: exampleText }) => {
    const shared = typed.filter((t) =>
      words.some((e) => editDistanceWithin(t, e.word, e.allowed) <= e.allowed),
    ).length;
    return { example, shared, exampleText, order };
  });
  const relevant = scored.filter((s) => s.shared > 0);
  const pool =
    relevant.length > 0 ? relevant : scored.filter((s) => fallbackExamples.has(s.example));
  // Only the pool is ranked by distance, so only the pool pays for it.
  const typedText = typed.join(' ');
  return pool
    .map((s) => ({ ...s, distance: editDistance(typedText, s.exampleText) }))
    .sort((a, b) => b.shared - a.shared || a.distance - b.distance || a.order - b.order)
    .slice(0, limit)
    .map((s) => s.example);
}

/** A client as the matcher sees it: its name and its companies' names. */
export interface NamedClient {
  readonly id: string;
  readonly name: string;
  readonly companyNames?: readonly string[];
}

export type ClientMatch<T extends NamedClient> =
  | { readonly kind: 'one'; readonly client: T }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly T[] }
  | { readonly kind: 'none'; readonly suggestions: readonly T[] };

/** A client or company name as {@link matchClient} compares it. */
interface ComparableName {
  /** {@link normalizeWords} of the name. */
  readonly text: string;
  /** `text` between spaces, to find a typed phrase as whole words. */
  readonly padded: string;
  readonly words: readonly string[];
}

/**
 * Normalised names by raw name. Callers build a fresh client list for every message, so the cache
 * is keyed by the name itself: an accountant's thousands of names are normalised once, not once
 * per message. Cleared when full, so a stream of odd names cannot grow it without bound.
 */
const comparableNames = new Map<string, ComparableName | null>();
const maxComparableNames = 50_000;

/** The name as matching sees it, or null when nothing matchable is left of it. */
function comparableName(raw: string): ComparableName | null {
  const cached = comparableNames.get(raw);
  if (cached !== undefined) return cached;
  const text = normalizeWords(raw);
  const name = text === '' ? null : { text, padded: ` ${text} `, words: text.split(' ') };
  if (comparableNames.size >= maxComparableNames) comparableNames.clear();
  comparableNames.set(raw, name);
  return name;
}

/** The client's own name, then its companies' names, leaving out those with nothing to match. */
function comparableNamesOf(client: NamedClient): ComparableName[] {
  const out: ComparableName[] = [];
  const own = comparableName(client.name);
  if (own !== null) out.push(own);
  for (const raw of client.companyNames ?? []) {
    const name = comparableName(raw);
    if (name !== null) out.push(name);
  }
  return out;
}

/** How many candidates an ambiguous match offers. */
const maxCandidates = 5;
/** How many names a failed match suggests. */
const maxSuggestions = 3;

/**
 * Finds the client a person meant by `typed`: exact name first, then names that start with or
 * contain it, then names whose words each match a typed word give or take a typo; company names
 * count as well ("Cronus" finds the client whose company is CRONUS USA). Several equally good
 * matches come back as `ambiguous`, so the bot asks rather than guesses.
 */
export function matchClient<T extends NamedClient>(
  typed: string,
  clients: readonly T[],
): ClientMatch<T> {
  const wanted = normalizeWords(typed);
  if (wanted === '' || clients.length === 0)
    return { kind: 'none', suggestions: clients.slice(0, maxSuggestions) };
  const wantedWords = wanted.split(' ');
  const wantedPadded = ` ${wanted} `;
  const names = clients.map(comparableNamesOf);

  /** The clients with a name that passes `test`, as the tier's answer, or null when none does. */
  const tier = (test: (name: ComparableName) => boolean): ClientMatch<T> | null => {
    const hits: T[] = [];
    for (let i = 0; i < clients.length && hits.length < maxCandidates; i++) {
      const client = clients[i];
      if (client !== undefined && (names[i] ?? []).some(test)) hits.push(client);
    }
    const [first] = hits;
    if (first === undefined) return null;
    return hits.length === 1
      ? { kind: 'one', client: first }
      : { kind: 'ambiguous', candidates: hits };
  };

  // The cheap tiers in one pass: exact, prefix, whole words inside, anywhere inside. The first
  // tier any client reaches is the answer, as if each tier were tried over all clients in turn.
  const cheapTier = (name: ComparableName): number => {
    if (name.text === wanted) return 0;
    if (name.text.startsWith(wanted)) return 1;
    if (name.padded.includes(wantedPadded)) return 2;
    if (name.text.includes(wanted)) return 3;
    return 4;
  };
  let bestCheap = 4;
  const cheapTiers = names.map((ofClient) => {
    let best = 4;
    for (const name of ofClient) best = Math.min(best, cheapTier(name));
    bestCheap = Math.min(bestCheap, best);
    return best;
  });
  if (bestCheap < 4) {
    const hits: T[] = [];
    for (let i = 0; i < clients.length && hits.length < maxCandidates; i++) {
      const client = clients[i];
      if (client !== undefined && cheapTiers[i] === bestCheap) hits.push(client);
    }
    const [first] = hits;
    if (first !== undefined) {
      return hits.length === 1
        ? { kind: 'one', client: first }
        : { kind: 'ambiguous', candidates: hits };
    }
  }

  // Each typed word is a word of the name give or take its typos, or starts one. Client names
  // share most of their words ("GmbH", "Consulting", "& Sons"), so each pair is decided once.
  const typedWords = wantedWords.map((w) => {
    const distanceTo = distanceFrom(w);
    const decided = new Map<string, boolean>();
    return (n: string): boolean => {
      let fits = decided.get(n);
      if (fits === undefined) {
        const allowed = typoAllowance(n);
        fits = (w.length >= 3 && n.startsWith(w)) || distanceTo(n, allowed) <= allowed;
        decided.set(n, fits);
      }
      return fits;
    };
  });
  const byWords = tier((name) => typedWords.every((fits) => name.words.some(fits)));
  if (byWords !== null) return byWords;

  const distanceTo = distanceFrom(wanted);
  const allowed = Math.max(1, Math.floor(wanted.length / 4));
  const byTypos = tier((name) => distanceTo(name.text, allowed) <= allowed);
  if (byTypos !== null) return byTypos;

  return { kind: 'none', suggestions: nearest(clients, names, distanceTo) };
}

/**
 * The clients whose closest name is nearest to what was typed, nearest first, ties in list order
 * (as a stable sort of all of them by distance would give). Once three are kept, a client is
 * measured only as far as it takes to see whether it beats the last of them.
 */
function nearest<T>(
  clients: readonly T[],
  names: readonly (readonly ComparableName[])[],
  distanceTo: (text: string, max: number) => number,
): T[] {
  const kept: { client: T; distance: number }[] = [];
  clients.forEach((client, i) => {
    const worst = kept.length < maxSuggestions ? undefined : kept[kept.length - 1];
    // A tie with the last one kept does not displace it: it came first.
    const bound = worst === undefined ? Number.POSITIVE_INFINITY : worst.distance - 1;
    if (bound < 0) return;
    let distance = Number.POSITIVE_INFINITY;
    for (const name of names[i] ?? []) distance = Math.min(distance, distanceTo(name.text, bound));
    if (distance > bound) return;
    let at = kept.length;
    while (at > 0 && (kept[at - 1]?.distance ?? 0) > distance) at--;
    kept.splice(at, 0, { client, distance });
    if (kept.length > maxSuggestions) kept.pop();
  });
  return kept.map((k) => k.client);
}
