// Events over time from SQL-aggregated buckets (at most a few hundred bars, so SVG is
// fine). Drag across the bars to zoom the time filter to that range.
import { memo, useMemo, useState } from 'react';
import { Bar, BarChart, Legend, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis, type MouseHandlerDataParam } from 'recharts';
import { evenTicks } from './axis-ticks.js';
import type { Histogram } from '../../src-main/core/contract/records.js';
import { useApp } from '../app/store.js';
import { formatCount, formatTs } from '../app/format.js';

interface Props {
  histogram: Histogram;
  onZoom(from: string, to: string): void;
}

function indexOf(state: MouseHandlerDataParam): number | null {
  const raw = state.activeIndex ?? state.activeTooltipIndex;
  if (raw === undefined || raw === null) return null;
  const n = Number(raw);
  return Number.isInteger(n) ? n : null;
}

/** Memoised: a filter change re-renders the screen, but the chart only when its histogram changes. */
export const HistogramChart = memo(function HistogramChart({ histogram, onZoom }: Props) {
  const tz = useApp((s) => s.timeZone);
  const theme = useApp((s) => s.theme);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const data = useMemo(() => histogram.bins.map((b, i) => ({ i, label: formatTs(b.start, tz, false), events: b.events, conversations: b.conversations })), [histogram.bins, tz]);
  const colors = theme === 'dark' ? { ev: '#6ea8fe', conv: '#c29ffa', axis: '#aab3c0', sel: '#ffffff' } : { ev: '#1f6feb', conv: '#8250df', axis: '#57606a', sel: '#000000' };
  const finish = () => {
    if (drag && drag.from !== drag.to) {
      const lo = Math.min(drag.from, drag.to);
      const hi = Math.max(drag.from, drag.to);
      const first = histogram.bins[lo];
      const last = histogram.bins[hi];
      if (first && last) onZoom(first.start, last.end);
    }
    setDrag(null);
  };
  const ticks = useMemo(() => evenTicks(Math.max(0, ...histogram.bins.map((b) => b.events + b.conversations))), [histogram.bins]);
  const total = histogram.bins.reduce((n, b) => n + b.events + b.conversations, 0);
  const undated = histogram.undated.events + histogram.undated.conversations;
  return (
    <figure className="histogram" aria-label="Events over time">
      <figcaption className="sr-only">
        {formatCount(total)} dated rows from {formatTs(histogram.from, tz)} to {formatTs(histogram.to, tz)}; drag across bars to zoom.
      </figcaption>
      <ResponsiveContainer width="100%" height={136}>
        <BarChart
          data={data}
          margin={{ top: 6, right: 8, bottom: 0, left: 0 }}
          barCategoryGap={1}
          onMouseDown={(s) => {
            const i = indexOf(s);
            if (i !== null) setDrag({ from: i, to: i });
          }}
          onMouseMove={(s) => {
            const i = indexOf(s);
            if (drag && i !== null && i !== drag.to) setDrag({ ...drag, to: i });
          }}
          onMouseUp={finish}
          onMouseLeave={() => setDrag(null)}
        >
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: colors.axis }} stroke={colors.axis} minTickGap={40} />
          <YAxis tick={{ fontSize: 11, fill: colors.axis }} stroke={colors.axis} width={48} allowDecimals={false} ticks={ticks} domain={[0, ticks[ticks.length - 1]!]} interval={0} />
          <Legend verticalAlign="top" align="right" height={18} iconSize={10} wrapperStyle={{ fontSize: 11, color: colors.axis }} />
          <Tooltip
            isAnimationActive={false}
            contentStyle={{ background: theme === 'dark' ? '#1c2128' : '#ffffff', border: '1px solid #8884', fontSize: 12 }}
            formatter={(v, name) => [formatCount(Number(v)), String(name)]}
          />
          <Bar dataKey="events" name="system events" stackId="a" fill={colors.ev} isAnimationActive={false} />
          <Bar dataKey="conversations" name="conversations" stackId="a" fill={colors.conv} isAnimationActive={false} />
          {drag && drag.from !== drag.to ? <ReferenceArea x1={data[Math.min(drag.from, drag.to)]?.label} x2={data[Math.max(drag.from, drag.to)]?.label} fill={colors.sel} fillOpacity={0.15} /> : null}
        </BarChart>
      </ResponsiveContainer>
      {undated > 0 ? (
        <p className="muted small" data-testid="undated-note">
          {formatCount(undated)} rows have a missing or sentinel timestamp (1970, 1601, …): listed, but not on this axis.
        </p>
      ) : null}
    </figure>
  );
});
