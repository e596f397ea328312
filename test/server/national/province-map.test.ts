import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DIVISIONS_FILE, readCensusFile } from '../../../server/places/census-files.js';
import { PROVINCE_MAP_FILE, provinceBoundaries, provinceMap } from '../../../server/national/province-map.js';
import { NO_DATA_COLOR } from '../../../server/reports/svg-map.js';

/** The project's shared data folder, beside the repository (there in CI; a worktree may not have it). */
const SHARED_SOURCE = join(process.cwd(), '..', 'shared', 'data', 'iran-provinces.geojson');

describe('The province map of the central office', () => {
  const provinces = readCensusFile(DIVISIONS_FILE).places.filter((p) => p.level === 'province');

  it('has one shape per province, keyed by the same two-digit code and named as the census places are', () => {
    const features = provinceBoundaries().features;
    expect(features.map((f) => f.properties.province_code).sort()).to.deep.equal(provinces.map((p) => p.code).sort());
    const nameOf = new Map(provinces.map((p) => [p.code, p.name]));
    for (const f of features) expect(f.properties.name_fa, f.properties.province_code).to.equal(nameOf.get(f.properties.province_code));
  });

  it('is shipped small enough to load on every home view (under 100 KB) and draws every province with a shape', () => {
    expect(statSync(PROVINCE_MAP_FILE).size).to.be.below(100_000);
    const svg = provinceMap(new Map([['02', 40], ['03', null]]), 'fa', { title: 'نقشه', noData: 'بدون داده' });
    const paths = [...svg.matchAll(/<path data-key="(\d{2})" fill="([^"]+)" d="([^"]*)"/g)];
    expect(paths).to.have.length(provinces.length);
    expect(paths.every((p) => p[3]!.startsWith('M'))).to.equal(true);
    expect(paths.filter((p) => p[2] !== NO_DATA_COLOR).map((p) => p[1])).to.deep.equal(['02']);
    expect(svg).to.contain('<title>مازندران: ۴۰٪</title>');
  });

  if (existsSync(SHARED_SOURCE)) {
    it('keeps every feature and property of ../shared/data/iran-provinces.geojson', () => {
      const source = JSON.parse(readFileSync(SHARED_SOURCE, 'utf8')) as { features: { properties: unknown }[] };
      expect(provinceBoundaries().features.map((f) => f.properties)).to.deep.equal(source.features.map((f) => f.properties));
    });
  }
});
