// Even y-axis ticks for the histogram: 0, s, 2s, … with s a "nice" step (1, 2 or 5 × 10^k),
// at most `maxTicks` of them, the last one at or above the tallest bar. Left to the chart,
// ticks came out as 0, 35, 70, 140 (one hidden to avoid overlap), which reads as a log scale.
export function evenTicks(max: number, maxTicks = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / (maxTicks - 1);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough && Number.isInteger(s)) ?? Math.max(1, Math.ceil(rough));
  const ticks = [0];
  while (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}
