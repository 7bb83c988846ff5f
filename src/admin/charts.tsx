/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Bar charts rendered on the server (no chart library, no script). The words and numbers are HTML
// text, so they keep the page's font size on a phone (text inside a scaled SVG viewBox shrank to
// 7 px at 375 px); only the bars are SVG, one stretched rectangle each (the CSP forbids inline
// widths). Each chart is one image with a spoken summary, followed by its data as a table.

export interface Bar {
  label: string;
  value: number;
  /** Optional second value drawn behind the first (e.g. due vs paid). */
  total?: number;
  valueLabel?: string;
}

const pct = (v: number, max: number) => Math.max(0, Math.min(100, (v / max) * 100)).toFixed(2);

/** One bar: a track stretched to the row's width, the value's part filled. */
function BarSvg({ parts }: { parts: { value: number; color: string }[] }) {
  return (
    <svg class="bar-svg" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">
      <rect x="0" y="0" width="100" height="10" fill="#f0f2f5" />
      {parts.map((p) => <rect x="0" y="0" width={p.value} height="10" fill={p.color} />)}
    </svg>
  );
}

function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: string[][] }) {
  return (
    <details class="chart-data">
      <summary>Voir les données</summary>
      <div class="table-wrap" role="region" tabindex={0} aria-label={caption}>
        <table>
          <caption class="sr-only">{caption}</caption>
          <thead><tr>{head.map((h, i) => <th class={i ? "num" : ""} scope="col">{h}</th>)}</tr></thead>
          <tbody>{rows.map((r) => <tr>{r.map((c, i) => (i ? <td class="num">{c}</td> : <th scope="row">{c}</th>))}</tr>)}</tbody>
        </table>
      </div>
    </details>
  );
}

/** Horizontal bars: one row per item, label, bar (value over total) and value. */
export function HBarChart({ bars, title, max: maxIn, headers = ["Catégorie", "Valeur", "Total"] }: { bars: Bar[]; title: string; max?: number; headers?: [string, string, string] }) {
  const max = maxIn ?? Math.max(1, ...bars.map((b) => b.total ?? b.value));
  const hasTotal = bars.some((b) => b.total !== undefined);
  const summary = `${title} : ${bars.map((b) => `${b.label} ${b.valueLabel ?? b.value}`).join(", ")}.`;
  return (
    <>
      <div class="bars" role="img" aria-label={summary}>
        {bars.map((b) => (
          <div class="bar-row">
            <span class="chart-label">{b.label}</span>
            <BarSvg parts={[...(b.total !== undefined ? [{ value: Number(pct(b.total, max)), color: "#c9d0d8" }] : []), { value: Number(pct(b.value, max)), color: "#1f6f5c" }]} />
            <span class="chart-value">{b.valueLabel ?? String(b.value)}</span>
          </div>
        ))}
      </div>
      <DataTable caption={`Données : ${title}`} head={hasTotal ? headers : headers.slice(0, 2)} rows={bars.map((b) => [b.label, String(b.value), ...(hasTotal ? [b.total === undefined ? "—" : String(b.total)] : [])])} />
    </>
  );
}

export interface ColumnSeries {
  name: string;
  color: string;
  values: number[];
}

/** Grouped bars, one group per category (a year), one bar per series, with a legend and the values in words. */
export function ColumnChart({ categories, series, title, format }: { categories: string[]; series: ColumnSeries[]; title: string; format: (v: number) => string }) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const summary = `${title} : ${categories.map((cat, i) => `${cat}, ${series.map((s) => `${s.name.toLowerCase()} ${format(s.values[i] ?? 0)}`).join(", ")}`).join(" ; ")}.`;
  return (
    <>
      <div class="bars grouped" role="img" aria-label={summary}>
        <ul class="legend">
          {series.map((s) => (
            <li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10" fill={s.color} /></svg>{s.name}</li>
          ))}
        </ul>
        {categories.map((cat, i) => (
          <div class="bar-group">
            <span class="chart-label">{cat}</span>
            {series.map((s) => (
              <div class="bar-row">
                <BarSvg parts={[{ value: Number(pct(s.values[i] ?? 0, max)), color: s.color }]} />
                <span class="chart-value">{format(s.values[i] ?? 0)}</span>
              </div>
            ))}
          </div>
        ))}
      </div>
      <DataTable caption={`Données : ${title}`} head={["Période", ...series.map((s) => s.name)]} rows={categories.map((cat, i) => [cat, ...series.map((s) => format(s.values[i] ?? 0))])} />
    </>
  );
}
