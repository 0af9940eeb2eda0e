/**
 * Small string tools for matching what people type in chat: normalisation and edit distance.
 * Pure, no dependencies, shared by the command parser and client-name matching.
 *
 * These run for every word of every message against every command word and, for a command that
 * names a client, against every client name (thousands for a busy accountant), on the event loop
 * that answers every chat. So the distance works in three reused rows and stops as soon as the
 * answer is known to exceed the caller's bound.
 */

/** Scratch rows for {@link editDistanceWithin}: reused, grown on demand (calls never nest). */
let rowTwoBack = new Int32Array(64);
let rowBack = new Int32Array(64);
let rowNow = new Int32Array(64);

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions): "taks" → "task"
 * and "clinets" → "clients" each cost 1, which is how people mistype on a phone keyboard.
 */
export function editDistance(a: string, b: string): number {
  return editDistanceWithin(a, b, Number.POSITIVE_INFINITY);
}

/**
 * {@link editDistance} when it is at most `max`, else `max + 1` (without finishing the work: the
 * lengths alone, or two rows of the table that are all over `max`, already prove it).
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const cols = b.length + 1;
  if (rowNow.length < cols) {
    rowTwoBack = new Int32Array(cols * 2);
    rowBack = new Int32Array(cols * 2);
    rowNow = new Int32Array(cols * 2);
  }
  let twoBack = rowTwoBack;
  let back = rowBack;
  let now = rowNow;
  for (let j = 0; j < cols; j++) back[j] = j;
  let backMin = 0;
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    const caBefore = i > 1 ? a.charCodeAt(i - 2) : -1;
    now[0] = i;
    let nowMin = i;
    let cbBefore = -1;
    for (let j = 1; j < cols; j++) {
      const cb = b.charCodeAt(j - 1);
      let best = (back[j] ?? 0) + 1;
      const insert = (now[j - 1] ?? 0) + 1;
      if (insert < best) best = insert;
      const substitute = (back[j - 1] ?? 0) + (ca === cb ? 0 : 1);
      if (substitute < best) best = substitute;
      if (ca === cbBefore && caBefore === cb) {
        const swap = (twoBack[j - 2] ?? 0) + 1;
        if (swap < best) best = swap;
      }
      now[j] = best;
      if (best < nowMin) nowMin = best;
      cbBefore = cb;
    }
    // A cell of the next row comes from this row, or from the previous one plus a swap: when
    // both rows are over the bound, every later row is too.
    if (nowMin > max && backMin > max) return over;
    backMin = nowMin;
    const spare = twoBack;
    twoBack = back;
    back = now;
    now = spare;
  }
  const distance = back[b.length] ?? 0;
  return distance > max ? over : distance;
}

/** Character counts for {@link editDistanceLowerBound}, by code unit modulo its length. */
const bagCounts = new Int32Array(1024);

/**
 * A lower bound of {@link editDistance} in time linear in the lengths: the characters one string
 * has that the other lacks (the "bag distance"). A swap keeps the characters and any other edit
 * adds or removes at most one on each side, so no alignment costs less. Used to skip measuring
 * names that cannot be near enough.
 */
export function editDistanceLowerBound(a: string, b: string): number {
  const mask = bagCounts.length - 1;
  for (let i = 0; i < a.length; i++) {
    const k = a.charCodeAt(i) & mask;
    bagCounts[k] = (bagCounts[k] ?? 0) + 1;
  }
  let shared = 0;
  for (let i = 0; i < b.length; i++) {
    const k = b.charCodeAt(i) & mask;
    const left = bagCounts[k] ?? 0;
    if (left > 0) {
      bagCounts[k] = left - 1;
      shared++;
    }
  }
  for (let i = 0; i < a.length; i++) bagCounts[a.charCodeAt(i) & mask] = 0;
  return Math.max(a.length, b.length) - shared;
}

/** The longest fixed string {@link distanceFrom} measures with one machine word of bits. */
const maxBitParallelLength = 32;

/**
 * {@link editDistanceWithin} from one fixed string to many others, as `(text, max) => distance`:
 * the same numbers, faster, for matching one typed name against every client name.
 *
 * Up to 32 characters it uses Hyyrö's bit-parallel form of the same table (Myers' algorithm with
 * adjacent transpositions): one column of the table is a few bitwise operations on a 32-bit word,
 * so a name costs time linear in its length. Longer strings fall back to the bounded table,
 * skipped when the lower bound already exceeds `max`.
 */
export function distanceFrom(pattern: string): (text: string, max: number) => number {
  const m = pattern.length;
  if (m === 0 || m > maxBitParallelLength) {
    return (text, max) =>
      editDistanceLowerBound(text, pattern) > max
        ? max + 1
        : editDistanceWithin(pattern, text, max);
  }
  // Where each character occurs in the pattern, one bit per position.
  const asciiPositions = new Int32Array(128);
  const otherPositions = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const c = pattern.charCodeAt(i);
    if (c < 128) asciiPositions[c] = (asciiPositions[c] ?? 0) | (1 << i);
    else otherPositions.set(c, (otherPositions.get(c) ?? 0) | (1 << i));
  }
  const all = m === 32 ? -1 : (1 << m) - 1;
  const last = 1 << (m - 1);
  return (text, max) => {
    if (text === pattern) return 0;
    if (Math.abs(text.length - m) > max) return max + 1;
    // Vertical deltas of the current column (+1 / −1 bits), as in Myers' algorithm.
    let plus = all;
    let minus = 0;
    let zero = 0;
    let previous = 0;
    let distance = m;
    for (let j = 0; j < text.length; j++) {
      const c = text.charCodeAt(j);
      const here = c < 128 ? (asciiPositions[c] ?? 0) : (otherPositions.get(c) ?? 0);
      const swap = ((~zero & here) << 1) & previous;
      zero = ((((here & plus) + plus) ^ plus) | here | minus | swap) & all;
      const up = (minus | ~(zero | plus)) & all;
      const down = zero & plus;
      if ((up & last) !== 0) distance++;
      else if ((down & last) !== 0) distance--;
      const shifted = (up << 1) | 1;
      minus = shifted & zero;
      plus = ((down << 1) | ~(shifted | zero)) & all;
      previous = here;
    }
    return distance > max ? max + 1 : distance;
  };
}

/** How many typos a word of this length may carry and still count as that word. */
export function typoAllowance(word: string): number {
  if (word.length <= 2) return 0;
  if (word.length <= 5) return 1;
  return 2;
}

/** True when `typed` is `word` give or take the typos its length allows. */
export function isCloseWord(typed: string, word: string): boolean {
  const allowed = typoAllowance(word);
  return editDistanceWithin(typed, word, allowed) <= allowed;
}

/** Text that NFKD leaves as it is and that holds no combining marks: plain ASCII. */
const asciiOnly = /^[^\u0080-\uffff]*$/;

/** Lowercase, accents removed, punctuation turned into spaces, spaces collapsed. */
export function normalizeWords(text: string): string {
  const unaccented = asciiOnly.test(text)
    ? text
    : text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return unaccented
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of {@link normalizeWords}. */
export function wordsOf(text: string): string[] {
  const n = normalizeWords(text);
  return n === '' ? [] : n.split(' ');
}
