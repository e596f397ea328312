import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { NO_DATA_COLOR, colorFor, defaultScale, renderChoroplethSvg, simplify, type MapFeatureCollection } from '../../../server/reports/svg-map.js';

interface CountyProps {
  county_id: string;
  name_fa: string;
  rural_population_1395: number;
}

// The boundaries the project ships (server/places/data/SOURCES.md).
const path = 'server/places/data/mazandaran-counties.geojson';

describe('the choropleth SVG map', function () {
  const counties = JSON.parse(readFileSync(path, 'utf8')) as MapFeatureCollection<CountyProps>;
  const colors = ['#ffffcc', '#c2e699', '#78c679', '#31a354', '#006837'];
  const scale = { thresholds: [25, 50, 75, 100], colors };
  // Rural population in thousands; Sari (0207) has no value.
  const values = new Map<string, number | null>(
    counties.features.map((f) => [f.properties.county_id, f.properties.county_id === '0207' ? null : Math.round(f.properties.rural_population_1395 / 1000)]),
  );
  const svg = renderChoroplethSvg(counties, values, {
    keyOf: (f) => f.properties.county_id,
    labelOf: (f) => f.properties.name_fa,
    colorScale: scale,
    title: 'جمعیت روستایی <۱۳۹۵> & شهرستان‌ها',
    noDataLabel: 'بدون داده',
  });
  const paths = [...svg.matchAll(/<path data-key="(\d+)" fill="([^"]+)" d="([^"]+)"><title>([^<]*)<\/title><\/path>/g)].map((m) => ({
    key: m[1],
    fill: m[2],
    d: m[3],
    title: m[4],
  }));

  it('draws exactly one path per county, each with a shape', () => {
    expect(counties.features).to.have.length(22);
    expect(paths.map((p) => p.key)).to.have.members(counties.features.map((f) => f.properties.county_id));
    for (const p of paths) expect(p.d).to.match(/^M[\d.]+ [\d.]+l/);
  });

  it('colours each county by the thresholds, and grey where there is no value', () => {
    for (const f of counties.features) {
      const value = values.get(f.properties.county_id)!;
      const fill = paths.find((p) => p.key === f.properties.county_id)!.fill;
      const expected = value === null ? NO_DATA_COLOR : value < 25 ? colors[0] : value < 50 ? colors[1] : value < 75 ? colors[2] : value < 100 ? colors[3] : colors[4];
      expect(fill, f.properties.name_fa).to.equal(expected);
    }
    // Amol: 155,284 rural people → 155 (≥ 100) → darkest; Babol 226 too.
    expect(paths.find((p) => p.key === '0201')!.fill).to.equal('#006837');
    expect(colorFor(25, scale)).to.equal(colors[1]);
    expect(colorFor(24.9, scale)).to.equal(colors[0]);
  });

  it('titles every county with its Persian name and value in Persian digits', () => {
    expect(paths.find((p) => p.key === '0201')!.title).to.equal('آمل: ۱۵۵');
    expect(paths.find((p) => p.key === '0207')!.title).to.equal('ساری: بدون داده');
    expect(paths.map((p) => p.title.split(':')[0])).to.include.members(['بابل', 'قائم شهر', 'بهشهر', 'عباس آباد']);
  });

  it('is an accessible image with an escaped title, a legend and the OSM credit', () => {
    expect(svg).to.match(/^<svg [^>]*role="img"[^>]*aria-labelledby="map-title"/);
    expect(svg).to.include('<title id="map-title">جمعیت روستایی &lt;۱۳۹۵&gt; &amp; شهرستان‌ها</title>');
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    expect([...legend.matchAll(/<rect /g)]).to.have.length(6);
    expect(legend).to.include('&lt; ۲۵').and.include('۲۵ – ۵۰').and.include('≥ ۱۰۰').and.include('بدون داده');
    expect(svg).to.include('© OpenStreetMap contributors');
  });

  it('stays under 30 KB for the 22 Mazandaran counties', () => {
    const bytes = Buffer.byteLength(svg, 'utf8');
    expect(bytes).to.be.below(30 * 1024);
    // And it really is a simplification of the 160 KB source, not a copy.
    expect(bytes).to.be.below(readFileSync(path).length / 5);
  });

  it('keeps shapes in proportion: the province is much wider than tall, as on any map', () => {
    const [, w, h] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number);
    expect(w).to.equal(640);
    expect(h).to.be.within(300, 560);
  });

  it('simplifies a nearly straight line to its ends, and makes default equal-interval classes', () => {
    expect(simplify([[0, 0], [1, 0.2], [2, -0.3], [3, 0.1], [4, 0]], 1)).to.deep.equal([[0, 0], [4, 0]]);
    expect(defaultScale([0, 100, null])).to.deep.equal({ thresholds: [20, 40, 60, 80], colors });
  });
});
