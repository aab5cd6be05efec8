/** A small SVG line chart (no dependency): axes, ticks, a legend, one polyline per series. */

export interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Maps data to the axis: identity, or log10(1 + v) for latencies spanning decades. */
  yScale: 'linear' | 'log1p';
  xTicks: { value: number; label: string }[];
  yTicks: number[];
}

const WIDTH = 520;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 90 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One chart as an SVG group of WIDTH x HEIGHT, placed at (x, y). */
export function chart(spec: ChartSpec, x: number, y: number): string {
  const scaleY = (v: number): number => (spec.yScale === 'log1p' ? Math.log10(1 + Math.max(0, v)) : v);
  const xs = [...spec.series.flatMap((s) => s.points.map((p) => p[0])), ...spec.xTicks.map((t) => t.value)];
  const ys = [...spec.series.flatMap((s) => s.points.map((p) => scaleY(p[1]))), ...spec.yTicks.map(scaleY)];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (v: number): number => MARGIN.left + ((v - x0) / (x1 - x0 || 1)) * plotW;
  const py = (v: number): number => MARGIN.top + plotH - ((scaleY(v) - y0) / (y1 - y0 || 1)) * plotH;
  const parts: string[] = [`<g transform="translate(${x},${y})" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(spec.title)}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  for (const tick of spec.xTicks) {
    parts.push(`<line x1="${px(tick.value)}" x2="${px(tick.value)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${px(tick.value)}" y="${MARGIN.top + plotH + 14}" text-anchor="middle">${escape(tick.label)}</text>`);
  }
  for (const tick of spec.yTicks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(tick)}" y2="${py(tick)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${py(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 32}" text-anchor="middle">${escape(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(16,${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(spec.yLabel)}</text>`);
  spec.series.forEach((series, i) => {
    const path = series.points.map(([vx, vy]) => `${px(vx).toFixed(1)},${py(vy).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [vx, vy] of series.points) parts.push(`<circle cx="${px(vx).toFixed(1)}" cy="${py(vy).toFixed(1)}" r="2.5" fill="${series.color}"/>`);
    const ly = MARGIN.top + plotH + 48 + Math.floor(i / 2) * 14;
    const lx = MARGIN.left + (i % 2) * (plotW / 2);
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${lx + 24}" y="${ly}">${escape(series.label)}</text>`);
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** Charts side by side in one SVG document. */
export function svgDocument(charts: ChartSpec[]): string {
  const body = charts.map((spec, i) => chart(spec, i * WIDTH, 0)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH * charts.length}" height="${HEIGHT}" viewBox="0 0 ${WIDTH * charts.length} ${HEIGHT}">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}
