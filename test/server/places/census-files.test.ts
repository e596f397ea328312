import { expect } from 'chai';
import { parseCensusFile, readCensusFile, SHIPPED_PLACE_FILES } from '../../../server/places/census-files.js';

const HEADER =
  'level,id,province_code,county_code,district_code,rural_district_code,city_code,village_code,province_name,county_name,district_name,rural_district_name,city_name,village_name,name,households,population,male,female,suppressed,urban_population,rural_population,nonsettled_population,source';

describe('Reading the census files', () => {
  it('reads the settlement table with its levels, codes and ancestors', () => {
    const { places, problems } = readCensusFile(SHIPPED_PLACE_FILES[0]!);
    expect(problems).to.deep.equal([]);
    const village = places.find((p) => p.code === '0303030001029409')!;
    expect(village).to.include({ level: 'village', name: 'خواجه دیزج', parent: '0303030001', province: '03', population: 1944, households: 616 });
    expect(village.ancestors).to.deep.equal(['03', '0303', '030303', '0303030001']);
    const sari = places.find((p) => p.code === '0207')!;
    expect(sari).to.include({ level: 'county', name: 'ساری', population: 504298, households: null });
  });

  it('gives cities without an SCI code a stable synthetic code under their county', () => {
    const { places, skipped } = readCensusFile(SHIPPED_PLACE_FILES[2]!);
    expect(skipped, 'the 130 cities of 03/04/24 come from the settlement table').to.equal(130);
    const sariTowns = places.filter((p) => p.parent === '0207').map((p) => [p.code, p.name]);
    expect(sariTowns).to.deep.include.members([
      ['0207C01', 'ساری'],
      ['0207C04', 'کیاسر'],
    ]);
    expect(places.find((p) => p.code === '0207C04')!.source).to.equal('iran-cities-1395:WP-en-article');
  });

  it('reports a malformed row by its line and keeps the others', () => {
    const text = [
      HEADER,
      'province,02,02,,,,,,مازندران,,,,,,مازندران,,3283582,1653998,1629584,,1897238,1386337,7,SCI1395-T1',
      'county,0207,02,07,,,,,مازندران,ساری,,,,,ساری,,lots,,,,,,,SCI1395-T1',
      'county,02X8,02,08,,,,,مازندران,قائم شهر,,,,,قائم شهر,,309199,,,,,,,SCI1395-T1',
      'hamlet,0209,02,09,,,,,مازندران,x,,,,,x,,1,,,,,,,SCI1395-T1',
    ].join('\r\n');
    const { places, problems } = parseCensusFile(text, 'sample.csv');
    expect(places.map((p) => p.code)).to.deep.equal(['02']);
    expect(problems).to.deep.equal([
      { file: 'sample.csv', line: 3, reason: 'population "lots" is not a whole number' },
      { file: 'sample.csv', line: 4, reason: 'id "02X8" is not a 4-digit county code' },
      { file: 'sample.csv', line: 5, reason: 'unknown level "hamlet"' },
    ]);
  });

  it('normalises names as it reads them (Arabic yeh and kaf)', () => {
    const text = [HEADER, 'province,02,02,,,,,,مازندران,,,,,,مازنكدري,,1,,,,,,,SCI1395-T1'].join('\n');
    const [place] = parseCensusFile(text, 'x.csv').places;
    expect(place!.name).to.equal('مازنکدری');
  });
});
