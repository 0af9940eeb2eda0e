/**
 * Deterministic randomness for the sample tenant. Everything it generates comes from a seeded
 * mulberry32 stream (never `Math.random`), so the same seed and the same "today" always give the
 * same companies, invoices and tasks, and a test can compare a response with the generated data.
 */

/** 32-bit FNV-1a hash of the parts, joined by a separator so `('a','bc')` differs from `('ab','c')`. */
export function hashOf(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const HEX = '0123456789abcdef';

function hex8(n: number): string {
  return (
    (HEX[(n >>> 28) & 15] ?? '0') +
    (HEX[(n >>> 24) & 15] ?? '0') +
    (HEX[(n >>> 20) & 15] ?? '0') +
    (HEX[(n >>> 16) & 15] ?? '0') +
    (HEX[(n >>> 12) & 15] ?? '0') +
    (HEX[(n >>> 8) & 15] ?? '0') +
    (HEX[(n >>> 4) & 15] ?? '0') +
    (HEX[n & 15] ?? '0')
  );
}

/** A seeded pseudo-random stream with the few draws the generator needs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: a uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, weight] of items) {
      r -= weight;
      if (r < 0) return value;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** A lowercase GUID in BC's textual form (version 4 layout). */
  guid(): string {
    const a = hex8(this.word());
    const b = hex8(this.word());
    const c = this.word();
    const ch = hex8(c);
    const d = hex8(this.word());
    const variant = HEX[((c >>> 28) & 0x3) | 0x8] ?? '8';
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${ch.slice(1, 4)}-${ch.slice(4, 8)}${d}`;
  }

  /** A uniform unsigned 32-bit integer. */
  private word(): number {
    return Math.floor(this.next() * 0x100000000) >>> 0;
  }

  /** Fisher–Yates on a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }
}
