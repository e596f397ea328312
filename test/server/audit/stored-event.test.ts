import { expect } from 'chai';
import { Types } from 'mongoose';
import { AuditEvent } from '../../../models/audit-event.model.js';
import { runAs, type Actor } from '../../../server/audit/context.js';
import { diff, recordAudit, type AuditInput } from '../../../server/audit/record.js';
import { inTransaction } from '../../../server/db/transaction.js';
import { resetDatabase } from '../../support/database.js';

/** The stored document as the driver reads it back, without its id, keys in stored order. */
async function stored(id: unknown): Promise<string> {
  const { _id, ...rest } = (await AuditEvent.collection.findOne({ _id: id as Types.ObjectId }))!;
  return JSON.stringify(rest);
}

// recordAudit writes its events with the driver; each must be stored exactly as the AuditEvent model would store it.
describe('An audit event written by recordAudit', () => {
  beforeEach(() => resetDatabase());

  const governor: Actor = { kind: 'user', userId: new Types.ObjectId().toHexString(), username: 'governor.03', role: 'governor-office', province: '03', placeCode: '03', ip: '127.0.0.1' };
  const inputs: { name: string; actor: Actor; input: AuditInput }[] = [
    {
      name: 'the creation of an enrolment',
      actor: governor,
      input: {
        action: 'create',
        subject: 'enrolments',
        documentId: new Types.ObjectId().toHexString(),
        before: null,
        after: { _id: new Types.ObjectId(), campaign: new Types.ObjectId(), province: '03', placePath: ['03', '0303', '030303'], nationalId: '0012345679', birthDate: new Date('1990-03-21'), status: 'logged', createdAt: new Date() },
      },
    },
    {
      name: 'an update with a secret, an emptied object and a nested value',
      actor: { kind: 'job', job: 'reminders', runId: 'run-1' },
      input: { action: 'update', subject: 'users', documentId: 'u1', before: { province: '02', passwordHash: 'x', settings: { a: 1 }, tags: ['a'] }, after: { province: '02', passwordHash: 'y', settings: {}, tags: [] } },
    },
    { name: 'a sign-in with what was typed', actor: { kind: 'visitor', ip: '10.0.0.1' }, input: { action: 'sign-in-failed', subject: 'sessions', place: { province: '00', placePath: ['00'] }, detail: { login: 'someone', empty: {}, missing: undefined } } },
  ];

  for (const { name, actor, input } of inputs) {
    it(`stores ${name} as the model does`, async () => {
      await runAs(actor, () => inTransaction((session) => recordAudit(session, [input])));
      const [written] = await AuditEvent.collection.find({}).toArray();
      const { _id, ...fields } = written!;
      // the model given what recordAudit gave it before it wrote with the driver: the diff and the detail as they are
      const changes = input.action === 'update' || input.action === 'create' ? diff(input.before ?? null, input.after ?? null, input.ignore) : [];
      const [viaModel] = await AuditEvent.insertMany([{ ...fields, changes, ...(input.detail ? { detail: input.detail } : {}) }]);
      expect(await stored(_id)).to.equal(await stored(viaModel!._id));
    });
  }

  it('refuses an event on a place without a two-digit province, storing nothing', async () => {
    const failed = await runAs(governor, () => recordAudit(null, [{ action: 'create', subject: 'enrolments', documentId: 'x', after: { province: 'Tehran', placePath: ['Tehran'] } }])).then(
      () => null,
      (err: unknown) => err as { name?: string },
    );
    expect(failed?.name).to.equal('ValidationError');
    expect(await AuditEvent.collection.countDocuments({})).to.equal(0);
  });
});
