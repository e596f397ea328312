import { expect } from 'chai';
import { Enrolment } from '../../models/enrolment.model.js';
import { EnrolmentImport } from '../../models/enrolment-import.model.js';
import { resetDatabase } from '../support/database.js';

describe('The enrolments collection', () => {
  before(() => resetDatabase());

  it('keeps one national ID per province with a unique key that begins with the shard key', async () => {
    const indexes = await Enrolment.collection.indexes();
    const unique = indexes.filter((index) => index.unique).map((index) => index.key);
    expect(unique).to.deep.include({ province: 1, nationalId: 1 });
    for (const index of indexes.filter((i) => i.name !== '_id_' && i.name !== 'placePath_1')) expect(Object.keys(index.key)[0], index.name).to.equal('province');
  });

  it('refuses every read without a scope', async () => {
    const refused = await Enrolment.find({}).then(
      () => null,
      (err: { name: string }) => err.name,
    );
    expect(refused).to.equal('scopeMissing');
    const refusedImport = await EnrolmentImport.countDocuments({}).then(
      () => null,
      (err: { name: string }) => err.name,
    );
    expect(refusedImport).to.equal('scopeMissing');
  });
});
