import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lang } from '../i18n/index.js';
import { renderChoroplethSvg, type MapFeatureCollection } from '../reports/svg-map.js';
import { formatNumber } from '../shared/persian-text.js';

export interface ProvinceProperties {
  /** The SCI province code (`02` Mazandaran), the same two digits as the province's place code. */
  province_code: string;
  name_fa: string;
  name_en: string;
}

/**
 * The 31 province boundaries, simplified from `../shared/data/iran-provinces.geojson` (server/places/data/SOURCES.md;
 * rebuilt by server/national/province-map-cli.ts) and shipped like the county map, so a fresh clone draws the map.
 */
export const PROVINCE_MAP_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'places', 'data', 'iran-provinces.simplified.geojson');

let provinces: MapFeatureCollection<ProvinceProperties> | undefined;

export function provinceBoundaries(): MapFeatureCollection<ProvinceProperties> {
  provinces ??= JSON.parse(readFileSync(PROVINCE_MAP_FILE, 'utf8')) as MapFeatureCollection<ProvinceProperties>;
  return provinces;
}

/** Every province coloured by the percentage of its quota in its approved figures; grey where there are none. */
export function provinceMap(percentByProvince: ReadonlyMap<string, number | null>, lang: Lang, labels: { title: string; noData: string }): string {
  return renderChoroplethSvg(provinceBoundaries(), percentByProvince, {
    keyOf: (f) => f.properties.province_code,
    labelOf: (f) => (lang === 'fa' ? f.properties.name_fa : f.properties.name_en),
    colorScale: { thresholds: [25, 50, 75, 100], colors: ['#ffffcc', '#c2e699', '#78c679', '#31a354', '#006837'] },
    width: 480,
    lang,
    title: labels.title,
    noDataLabel: labels.noData,
    formatValue: (v) => `${formatNumber(v, lang)}${lang === 'fa' ? '٪' : '%'}`,
    idPrefix: 'province-map',
  });
}
