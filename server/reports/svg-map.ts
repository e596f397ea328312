import { formatNumber } from '../shared/persian-text.js';

/**
 * A choropleth of counties (or provinces) as an inline SVG string: no map library and no tiles, so
 * the report page stays light on a weak connection and prints the same as it shows. The Mazandaran
 * county file is 160 KB of GeoJSON; projected, simplified to ~1 px and rounded to 0.1 px, the whole
 * SVG is a small fraction of that (the test measures it).
 */

type Position = number[];
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Position[][];
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}
export interface MapFeature<P = Record<string, unknown>> {
  type: 'Feature';
  properties: P;
  geometry: PolygonGeometry | MultiPolygonGeometry | { type: string; coordinates?: unknown } | null;
}
export interface MapFeatureCollection<P = Record<string, unknown>> {
  type: 'FeatureCollection';
  features: MapFeature<P>[];
}

/**
 * Classes by thresholds: a value v falls in class i = the number of thresholds ≤ v, so thresholds
 * [10, 20] make three classes: below 10, 10 up to (not including) 20, and 20 or more. `colors` needs
 * one more entry than `thresholds`.
 */
export interface ColorScale {
  thresholds: number[];
  colors: string[];
}

export interface ChoroplethOptions<P> {
  keyOf: (feature: MapFeature<P>) => string;
  labelOf: (feature: MapFeature<P>) => string;
  /** Pixels; the height follows from the shape. Default 640. */
  width?: number;
  colorScale?: ColorScale;
  title?: string;
  /** Digits and number grouping of tooltips and legend. Default 'fa'. */
  lang?: 'fa' | 'en';
  /** How a value is written in tooltips and the legend (e.g. as a percentage). Default: grouped number. */
  formatValue?: (value: number) => string;
  /** Legend text for counties without a value, from the i18n catalogue. Default '—'. */
  noDataLabel?: string;
  /** The OSM licence (ODbL) requires this credit wherever the boundaries are shown. */
  attribution?: string;
  /** Prefix of the element ids, so two maps can share a page. */
  idPrefix?: string;
}

/** Sequential green scale (ColorBrewer YlGn, 5 classes): readable in print and for red–green colour blindness. */
export const DEFAULT_COLORS = ['#ffffcc', '#c2e699', '#78c679', '#31a354', '#006837'];
export const NO_DATA_COLOR = '#e0e0e0';

export function colorFor(value: number | null | undefined, scale: ColorScale): string {
  if (value === null || value === undefined || Number.isNaN(value)) return NO_DATA_COLOR;
  let i = 0;
  while (i < scale.thresholds.length && value >= scale.thresholds[i]) i++;
  return scale.colors[Math.min(i, scale.colors.length - 1)];
}

/** Equal-interval thresholds over the values present, rounded to whole numbers when the range allows it. */
export function defaultScale(values: Iterable<number | null>): ColorScale {
  const present = [...values].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (present.length === 0) return { thresholds: [], colors: [DEFAULT_COLORS[2]] };
  const min = Math.min(...present);
  const max = Math.max(...present);
  if (min === max) return { thresholds: [], colors: [DEFAULT_COLORS[2]] };
  const n = DEFAULT_COLORS.length;
  const step = (max - min) / n;
  const round = max - min >= n * 2 ? Math.round : (x: number) => Math.round(x * 100) / 100;
  const thresholds = [...new Set(Array.from({ length: n - 1 }, (_, i) => round(min + step * (i + 1))))];
  return { thresholds, colors: DEFAULT_COLORS.slice(0, thresholds.length + 1) };
}

function rings(geometry: MapFeature['geometry']): Position[][] {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return (geometry as PolygonGeometry).coordinates;
  if (geometry.type === 'MultiPolygon') return (geometry as MultiPolygonGeometry).coordinates.flat();
  return [];
}

/** Douglas–Peucker on a ring in pixel space (iterative, so long coastlines cannot overflow the stack). */
export function simplify(points: [number, number][], tolerance: number): [number, number][] {
  if (points.length <= 3) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  const tol2 = tolerance * tolerance;
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = points[a];
    const [bx, by] = points[b];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD = tol2;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = points[i];
      let d2: number;
      if (len2 === 0) d2 = (px - ax) ** 2 + (py - ay) ** 2;
      else {
        const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
        d2 = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2;
      }
      if (d2 > worstD) {
        worstD = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const r1 = (n: number) => {
  const v = Math.round(n * 10) / 10;
  return Object.is(v, -0) ? '0' : String(v);
};

export function renderChoroplethSvg<P>(
  collection: MapFeatureCollection<P>,
  values: ReadonlyMap<string, number | null>,
  options: ChoroplethOptions<P>,
): string {
  const width = options.width ?? 640;
  const lang = options.lang ?? 'fa';
  const id = options.idPrefix ?? 'map';
  const format = options.formatValue ?? ((v: number) => formatNumber(v, lang));
  const scale = options.colorScale ?? defaultScale(values.values());
  const margin = 8;
  const attribution = options.attribution ?? '© OpenStreetMap contributors';

  // Bounding box, then an equirectangular projection: longitude shrunk by cos(mean latitude) so
  // shapes keep their proportions at Iran's latitudes (a degree of longitude is ~0.8 of one of latitude).
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const f of collection.features) {
    for (const ring of rings(f.geometry)) {
      for (const [lon, lat] of ring) {
        if (lon < minX) minX = lon;
        if (lon > maxX) maxX = lon;
        if (lat < minY) minY = lat;
        if (lat > maxY) maxY = lat;
      }
    }
  }
  if (!Number.isFinite(minX)) { minX = maxX = minY = maxY = 0; }
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxX - minX) * k, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const s = (width - 2 * margin) / spanX;
  const mapHeight = spanY * s;
  const project = (lon: number, lat: number): [number, number] => [margin + (lon - minX) * k * s, margin + (maxY - lat) * s];

  const legendItems: { color: string; label: string }[] = scale.colors.map((color, i) => {
    const lo = scale.thresholds[i - 1];
    const hi = scale.thresholds[i];
    const label = lo === undefined && hi === undefined ? '' : lo === undefined ? `< ${format(hi)}` : hi === undefined ? `≥ ${format(lo)}` : `${format(lo)} – ${format(hi)}`;
    return { color, label };
  });
  if ([...values.values()].some((v) => v === null) || collection.features.some((f) => !values.has(options.keyOf(f)))) {
    legendItems.push({ color: NO_DATA_COLOR, label: options.noDataLabel ?? '—' });
  }
  const legendRow = 20;
  const legendTop = mapHeight + 2 * margin;
  const height = Math.ceil(legendTop + legendItems.length * legendRow + 20);
  const rtl = lang === 'fa';

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title" font-family="Vazirmatn, Tahoma, sans-serif" font-size="12"${rtl ? ' direction="rtl"' : ''}>`,
  );
  out.push(`<title id="${id}-title">${escapeXml(options.title ?? '')}</title>`);
  out.push(`<g stroke="#555" stroke-width="0.6" stroke-linejoin="round">`);
  for (const f of collection.features) {
    const key = options.keyOf(f);
    const value = values.get(key);
    let d = '';
    for (const ring of rings(f.geometry)) {
      const pts = simplify(ring.map(([lon, lat]) => project(lon, lat)), 1);
      // A ring that simplifies to a line or a point is smaller than a pixel: leave it out.
      if (pts.length < 4) continue;
      // Relative moves after the first point keep the numbers short.
      const x0 = Math.round(pts[0][0] * 10);
      const y0 = Math.round(pts[0][1] * 10);
      let [px, py] = [x0, y0];
      const steps: string[] = [];
      for (let i = 1; i < pts.length - 1; i++) {
        const x = Math.round(pts[i][0] * 10);
        const y = Math.round(pts[i][1] * 10);
        if (x === px && y === py) continue;
        steps.push(`${r1((x - px) / 10)} ${r1((y - py) / 10)}`);
        [px, py] = [x, y];
      }
      if (steps.length >= 2) d += `M${r1(x0 / 10)} ${r1(y0 / 10)}l${steps.join(' ')}z`;
    }
    const label = `${options.labelOf(f)}: ${value === null || value === undefined ? (options.noDataLabel ?? '—') : format(value)}`;
    out.push(`<path data-key="${escapeXml(key)}" fill="${colorFor(value, scale)}" d="${d}"><title>${escapeXml(label)}</title></path>`);
  }
  out.push('</g>');

  // Legend: a swatch and its range per class, on the reading side (right in Persian).
  out.push(`<g class="legend">`);
  legendItems.forEach((item, i) => {
    const y = legendTop + i * legendRow;
    const swatchX = rtl ? width - margin - 16 : margin;
    const textX = rtl ? width - margin - 22 : margin + 22;
    out.push(
      `<rect x="${swatchX}" y="${y}" width="16" height="14" fill="${item.color}" stroke="#555" stroke-width="0.5"/><text x="${textX}" y="${y + 11}" text-anchor="start">${escapeXml(item.label)}</text>`,
    );
  });
  out.push(`</g>`);
  out.push(`<text x="${rtl ? margin : width - margin}" y="${height - 6}" font-size="9" fill="#666" text-anchor="${rtl ? 'start' : 'end'}" direction="ltr" lang="en">${escapeXml(attribution)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
