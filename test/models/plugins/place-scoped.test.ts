import { expect } from 'chai';
import { Place } from '../../../models/place.model.js';
import { User, type UserRecord } from '../../../models/user.model.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { createUser } from '../../support/users.js';

const sariGovernor = { role: 'county-governor', placeCode: '0207', province: '02' } as const;
const mazandaranFund = { role: 'fund-manager', placeCode: '02', province: '02' } as const;

describe('Place-scoped collections', () => {
  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '0208', '0303030001');
  });

  it('refuse a query that does not say whose scope it runs in', async () => {
    for (const attempt of [
      () => Place.find({}),
      () => Place.findOne({ code: '0207' }),
      () => Place.countDocuments({}),
      () => Place.updateMany({}, { $set: { population: 0 } }),
      () => Place.deleteMany({}),
      () => Place.aggregate([{ $match: {} }]),
    ]) {
      let error: unknown;
      try {
        await attempt();
      } catch (err) {
        error = err;
      }
      expect(error, attempt.toString()).to.have.property('name', 'scopeMissing');
    }
    expect(await Place.countDocuments({}).setOptions({ scope: 'system' })).to.be.greaterThan(0);
  });

  it('show a county governor their county and what lies under it, and nothing else', async () => {
    const codes = (await Place.find({}).setOptions({ scope: sariGovernor }).lean()).map((p) => p.code);
    expect(codes).to.include.members(['0207', '0207C01', '0207C04']);
    expect(codes.every((code) => code.startsWith('0207'))).to.equal(true);
    expect(await Place.findOne({ code: '0208' }).setOptions({ scope: sariGovernor })).to.equal(null);
  });

  it('keep the scope when the query itself asks for a place outside it', async () => {
    const found = await Place.find({ placePath: '0208' }).setOptions({ scope: sariGovernor }).lean();
    expect(found).to.deep.equal([]);
  });

  it('show a province-wide role the whole province', async () => {
    const count = await Place.countDocuments({}).setOptions({ scope: mazandaranFund });
    expect(count).to.equal(await Place.countDocuments({ province: '02' }).setOptions({ scope: 'system' }));
    const [{ n }] = await Place.aggregate<{ n: number }>([{ $count: 'n' }]).option({ scope: mazandaranFund });
    expect(n).to.equal(count);
  });

  it('update and delete only inside the scope', async () => {
    const result = await Place.updateMany({ code: { $in: ['0207', '0208'] } }, { $set: { source: 'touched' } }).setOptions({ scope: sariGovernor });
    expect(result.modifiedCount).to.equal(1);
    const untouched = await Place.findOne({ code: '0208' }).setOptions({ scope: 'system' }).lean();
    expect(untouched!.source).to.not.equal('touched');
  });

  it('scope users too: a county governor lists the users of their county only', async () => {
    await createUser({ role: 'mayor', placeCode: '0207C04', username: 'mayor.kiasar' });
    await createUser({ role: 'county-governor', placeCode: '0208', username: 'governor.qaemshahr' });
    const names = (await User.find({}).setOptions({ scope: sariGovernor }).lean()).map((u) => u.username);
    expect(names).to.deep.equal(['mayor.kiasar']);
  });

  it('store the province and the path of every record’s place', async () => {
    const mayor = await User.findOne({ username: 'mayor.kiasar' }).setOptions({ scope: 'system' }).lean<UserRecord>();
    expect(mayor).to.include({ province: '02' });
    expect(mayor!.placePath).to.deep.equal(['02', '0207', '0207C04']);
  });
});
