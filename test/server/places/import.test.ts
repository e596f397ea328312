import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Place } from '../../../models/place.model.js';
import { parseCensusFile, readCensusFile, SHIPPED_PLACE_FILES, DIVISIONS_FILE } from '../../../server/places/census-files.js';
import { importPlaces } from '../../../server/places/import.service.js';
import { resetDatabase } from '../../support/database.js';

async function countsPerLevel(filter: Record<string, unknown> = {}): Promise<Record<string, number>> {
  const rows = await Place.aggregate<{ _id: string; n: number }>([{ $match: filter }, { $group: { _id: '$level', n: { $sum: 1 } } }]).option({ scope: 'system' });
  return Object.fromEntries(rows.map((r) => [r._id, r.n]));
}

describe('Importing the census places', function () {
  this.timeout(180_000);

  before(async () => {
    await resetDatabase();
  });

  it('imports the whole settlement table with as many places per level as the file has', async () => {
    const progress: number[] = [];
    const report = await importPlaces([readCensusFile(DIVISIONS_FILE)], (done) => progress.push(done));
    expect(report.rejected).to.deep.equal([]);
    expect(report.created).to.equal(9633);
    expect(progress.at(-1)).to.equal(9633);
    expect(await countsPerLevel()).to.deep.equal({ province: 31, county: 429, district: 113, rural_district: 326, city: 130, village: 8604 });
  });

  it('adds the cities and districts the census lists name without codes', async () => {
    const report = await importPlaces(SHIPPED_PLACE_FILES.slice(1).map(readCensusFile));
    expect(report).to.include({ created: 1116 + 17, skipped: 130 + 113 });
    const mazandaran = await countsPerLevel({ province: '02' });
    expect(mazandaran).to.deep.equal({ province: 1, county: 22, district: 11, city: 58 });
  });

  it('changes nothing when the same files are imported again', async () => {
    const report = await importPlaces(SHIPPED_PLACE_FILES.map(readCensusFile));
    expect(report).to.include({ created: 0, updated: 0, unchanged: 9633 + 1116 + 17 });
    expect(report.rejected).to.deep.equal([]);
  });

  it('finds a whole county’s subtree with one indexed query on the ancestors', async () => {
    const underTabriz = await Place.countDocuments({ ancestors: '0303' }).setOptions({ scope: 'system' });
    const expected = readCensusFile(DIVISIONS_FILE).places.filter((p) => p.code.startsWith('0303') && p.code !== '0303').length;
    expect(underTabriz).to.equal(expected);
    const indexes = await Place.collection.indexes();
    expect(indexes.map((i) => Object.keys(i.key))).to.deep.include(['ancestors']);
  });

  it('reports a malformed row with its line, and changes nothing for it or anything else', async () => {
    const lines = readFileSync(DIVISIONS_FILE, 'utf8').split(/\r?\n/);
    const villageLine = lines.findIndex((l) => l.startsWith('village,0303030001029409,'));
    lines[villageLine] = lines[villageLine]!.replace(',616,1944,', ',616,19x4,');
    const dir = join('test-output', 'import');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'divisions-with-a-typo.csv');
    writeFileSync(file, lines.join('\n'));

    const report = await importPlaces([readCensusFile(file)]);
    expect(report.rejected).to.deep.equal([{ file: 'divisions-with-a-typo.csv', line: villageLine + 1, reason: 'population "19x4" is not a whole number' }]);
    expect(report).to.include({ created: 0, updated: 0, unchanged: 9632 });
    const village = await Place.findOne({ code: '0303030001029409' }).setOptions({ scope: 'system' }).lean();
    expect(village!.population).to.equal(1944);
  });

  it('refuses a place whose parent is nowhere, by line', async () => {
    const header = readFileSync(DIVISIONS_FILE, 'utf8').split(/\r?\n/)[0];
    const orphan = 'village,0399990001000001,03,99,99,0001,,000001,آذربایجان شرقی,x,x,x,,y,y,5,20,10,10,0,,,,SCI1395-abadi';
    const report = await importPlaces([parseCensusFile(`${header}\n${orphan}\n`, 'orphan.csv')]);
    expect(report.rejected).to.deep.equal([{ file: 'orphan.csv', line: 2, reason: 'its parent 0399990001 is not a known place' }]);
    expect(await Place.exists({ code: '0399990001000001' }).setOptions({ scope: 'system' })).to.equal(null);
  });
});
