import { expect } from 'chai';
import { Types } from 'mongoose';
import { Enrolment } from '../../models/enrolment.model.js';
import { EnrolmentImport } from '../../models/enrolment-import.model.js';
import { inTransaction } from '../../server/db/transaction.js';
import type { NewEnrolment } from '../../server/enrolments/enrolments.service.js';
import { resetDatabase } from '../support/database.js';

describe('The enrolments collection', () => {
  before(() => resetDatabase());

  it('keeps one national ID per province with a unique key that begins with the shard key', async () => {
    const indexes = await Enrolment.collection.indexes();
    const unique = indexes.filter((index) => index.unique).map((index) => index.key);
    expect(unique).to.deep.include({ province: 1, nationalId: 1 });
    for (const index of indexes.filter((i) => i.name !== '_id_' && i.name !== 'placePath_1')) expect(Object.keys(index.key)[0], index.name).to.equal('province');
  });

  it('lets exactly one of two transactions enrol the same national ID at once, as two servers would (nothing queues them)', async () => {
    const person = (place: string): NewEnrolment => ({
      campaign: new Types.ObjectId(), place, nationalId: '0499370899', firstName: 'مریم', lastName: 'رضایی', birthDateJalali: '1370/05/03',
      birthDate: new Date('1991-07-25T00:00:00Z'), sex: 'female', mobile: '09121234567', targetGroup: 'villagers', channel: 'online',
      status: 'logged', createdBy: new Types.ObjectId(), createdAt: new Date(), province: '03', placePath: ['03', place],
    });
    const outcomes = await Promise.allSettled(
      ['0303030001029409', '0303030001029406'].map((place) => inTransaction(async (session) => void (await Enrolment.create([person(place)], { session })))),
    );
    expect(outcomes.map((o) => o.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason.code).to.equal(11000);
    expect(await Enrolment.countDocuments({ nationalId: '0499370899' }).setOptions({ scope: 'system' })).to.equal(1);
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
