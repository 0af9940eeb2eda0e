/**
 * Small string tools for matching what people type in chat: normalisation and edit distance.
 * Pure, no dependencies, shared by the command parser and client-name matching.
 */

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions): "taks" → "task"
 * and "clinets" → "clients" each cost 1, which is how people mistype on a phone keyboard.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** How many typos a word of this length may carry and still count as that word. */
export function typoAllowance(word: string): number {
  if (word.length <= 2) return 0;
  if (word.length <= 5) return 1;
  return 2;
}

/** True when `typed` is `word` give or take the typos its length allows. */
export function isCloseWord(typed: string, word: string): boolean {
  return editDistance(typed, word) <= typoAllowance(word);
}

/** Lowercase, accents removed, punctuation turned into spaces, spaces collapsed. */
export function normalizeWords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of {@link normalizeWords}. */
export function wordsOf(text: string): string[] {
  const n = normalizeWords(text);
  return n === '' ? [] : n.split(' ');
}
