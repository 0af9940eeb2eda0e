/** Axis arithmetic for the hand-made charts. */

/** Rounds the axis range out to 1, 2 or 5 times a power of ten, for readable ticks. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) {
    const pad = Math.abs(min) || 1;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step / 2; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  const last = ticks[ticks.length - 1] ?? first;
  if (last < max) ticks.push(last + step);
  return ticks;
}
