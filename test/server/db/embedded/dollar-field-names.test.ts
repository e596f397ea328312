import { expect } from 'chai';
import { Schema, Types } from 'mongoose';
import { rejection, useTarget } from './target.js';

// MongoDB manual, "Dollar-Prefixed Field Names" (5.0+): "An update which creates a new document during
// an upsert is treated as an insert rather than an update for field name validation. Upserts can
// accept dollar ($) prefixed fields ... If this sample code matches an existing document, the update
// will fail since $hotel is dollar ($) prefixed." (db.expenses.updateOne({date}, {$set: {phone, $hotel}},
// {upsert: true})). The refusal is DollarPrefixedFieldName (52).
describe('dollar-prefixed field names in modifier updates', () => {
  const t = useTarget('dollarf');

  let n = 0;
  const coll = () => t.db.collection<{ _id: number; [field: string]: unknown }>(`c${++n}`);

  it('an upsert that inserts stores a $-prefixed field named in $set', async () => {
    const c = coll();
    const r = await c.updateOne({ date: '2021-07-07' }, { $set: { phone: 25.17, $hotel: 320.1 } }, { upsert: true });
    expect(r.upsertedCount).to.equal(1);
    const doc = await c.findOne({ date: '2021-07-07' });
    expect(doc?.phone).to.equal(25.17);
    expect(doc?.$hotel).to.equal(320.1);
  });

  it('the same update on an existing document is refused with 52 and changes nothing', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, date: '2021-07-07', phone: 1 });
    const err = await rejection(c.updateOne({ date: '2021-07-07' }, { $set: { phone: 25.17, $hotel: 320.1 } }, { upsert: true }));
    expect(err?.code).to.equal(52);
    expect(await c.findOne({ _id: 1 })).to.deep.equal({ _id: 1, date: '2021-07-07', phone: 1 });
  });

  it('through Mongoose: a schema path named $myKey is stored by an upserting updateOne', async () => {
    const conn = await t.mongoose();
    const Test = conn.model('Test', new Schema({ $myKey: String }));
    const _id = new Types.ObjectId();
    const res = await Test.updateOne({ _id }, { $myKey: 'gh13786' }, { upsert: true });
    expect(res.upsertedCount).to.equal(1);
    const raw = await Test.collection.findOne({ _id });
    expect(raw?.$myKey).to.equal('gh13786');
  });
});
