/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Inline SVG charts rendered on the server (no chart library, no script).

export interface Bar {
  label: string;
  value: number;
  /** Optional second value drawn behind the first (e.g. due vs paid). */
  total?: number;
  valueLabel?: string;
}

/** Horizontal bars: one row per item, label on the left, bar and value on the right. */
export function HBarChart({ bars, title, max: maxIn }: { bars: Bar[]; title: string; max?: number }) {
  // Drawn at about the width of a dashboard card, so that 12 px text stays 12 px on screen.
  const rowH = 24;
  const labelW = 150;
  const width = 380;
  const barW = width - labelW - 56;
  const max = maxIn ?? Math.max(1, ...bars.map((b) => b.total ?? b.value));
  const height = bars.length * rowH + 10;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="system-ui, sans-serif">
      <title>{title}</title>
      {bars.map((b, i) => {
        const y = 5 + i * rowH;
        const w = (b.value / max) * barW;
        const tw = b.total !== undefined ? (b.total / max) * barW : 0;
        return (
          <g>
            <text x={labelW - 6} y={y + 15} text-anchor="end" fill="#1d2430">{b.label.length > 22 ? b.label.slice(0, 21) + "…" : b.label}</text>
            {b.total !== undefined ? <rect x={labelW} y={y + 3} width={tw.toFixed(1)} height={rowH - 8} fill="#e3e7ec" rx="3" /> : null}
            <rect x={labelW} y={y + 3} width={w.toFixed(1)} height={rowH - 8} fill="#1f6f5c" rx="3" />
            <text x={labelW + Math.max(w, tw) + 5} y={y + 15} fill="#1d2430">{b.valueLabel ?? String(b.value)}</text>
          </g>
        );
      })}
    </svg>
  );
}

export interface ColumnSeries {
  name: string;
  color: string;
  values: number[];
}

/** Grouped vertical columns with a y axis in euros (values in cents). */
export function ColumnChart({ categories, series, title, format }: { categories: string[]; series: ColumnSeries[]; title: string; format: (v: number) => string }) {
  const width = 680;
  const height = 300;
  const left = 90;
  const bottom = 40;
  const top = 30;
  const plotH = height - bottom - top;
  const plotW = width - left - 10;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const groupW = plotW / Math.max(1, categories.length);
  const colW = Math.min(40, (groupW * 0.8) / Math.max(1, series.length));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => t * max);
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg" font-size="15" font-family="system-ui, sans-serif">
      <title>{title}</title>
      {ticks.map((t) => {
        const y = top + plotH - (t / max) * plotH;
        return (
          <g>
            <line x1={left} x2={width - 10} y1={y} y2={y} stroke="#e3e7ec" />
            <text x={left - 6} y={y + 4} text-anchor="end" fill="#5b6474">{format(Math.round(t))}</text>
          </g>
        );
      })}
      {categories.map((cat, i) => {
        const gx = left + i * groupW + (groupW - colW * series.length) / 2;
        return (
          <g>
            {series.map((s, j) => {
              const v = s.values[i] ?? 0;
              const h = (v / max) * plotH;
              return <rect x={(gx + j * colW).toFixed(1)} y={(top + plotH - h).toFixed(1)} width={(colW - 2).toFixed(1)} height={h.toFixed(1)} fill={s.color}><title>{`${s.name} ${cat} : ${format(v)}`}</title></rect>;
            })}
            <text x={left + i * groupW + groupW / 2} y={height - bottom + 16} text-anchor="middle" fill="#1d2430">{cat}</text>
          </g>
        );
      })}
      {series.map((s, j) => (
        <g>
          <rect x={left + j * 170} y={6} width={12} height={12} fill={s.color} />
          <text x={left + j * 170 + 18} y={16} fill="#1d2430">{s.name}</text>
        </g>
      ))}
    </svg>
  );
}
