import { expect } from 'chai';
import { Agreement, type AgreementRecord } from '../../../models/agreement.model.js';
import { ClauseProposal } from '../../../models/clause-proposal.model.js';
import { Committee, type CommitteeRecord } from '../../../models/committee.model.js';
import { FieldProblem, type FieldProblemRecord } from '../../../models/field-problem.model.js';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { PolicyAxis } from '../../../models/policy-axis.model.js';
import { Resolution, type ResolutionRecord } from '../../../models/resolution.model.js';
import { User } from '../../../models/user.model.js';
import { loadAgreementDemo } from '../../../server/agreements/demo.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { topicTrends } from '../../../server/field-problems/trends.service.js';
import { toJalali } from '../../../server/shared/jalali.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../../server/users/demo.js';
import { createUser } from '../../../server/users/users.service.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';

describe('The illustrative demo of field problems and the seed-000 agreement', () => {
  const governor = { role: 'governor-office' as const, placeCode: '02', province: '02' };

  before(async function () {
    this.timeout(180_000);
    await resetDatabase();
    await loadPlaces('02');
    await ensureAgencyRegister();
    for (const account of DEMO_ACCOUNTS.filter((a) => ['demo.governor', 'demo.mayor', 'demo.sari', 'demo.agency'].includes(a.username))) {
      await createUser('system', { ...account, password: DEMO_PASSWORD, lang: 'fa' }, { demo: true });
    }
    expect(await loadAgreementDemo()).to.equal(true);
  });

  it('records the agreement as published, with every clause and proposal marked as an example', async () => {
    const [agreement] = await Agreement.find({}).setOptions({ scope: 'system' }).lean<AgreementRecord[]>();
    expect(agreement!.parties).to.deep.equal(['سازمان شهرداری‌ها و دهیاری‌های کشور', 'سازمان تأمین اجتماعی']);
    expect(agreement!.illustrative).to.equal(true);
    expect(agreement!.clauses.map((c) => [c.number, c.illustrative, c.text.startsWith('نمونه')])).to.deep.equal([
      [1, true, true],
      [2, true, true],
    ]);
    const proposals = await ClauseProposal.find({}).setOptions({ scope: 'system' }).lean<{ state: string; illustrative: boolean }[]>();
    expect(proposals.map((p) => p.state).sort()).to.deep.equal(['adopted', 'proposed']);
    expect(proposals.every((p) => p.illustrative)).to.equal(true);
  });

  it('has a working group of five mayors of towns under 50,000 people', async () => {
    const [agreement] = await Agreement.find({}).setOptions({ scope: 'system' }).lean<AgreementRecord[]>();
    const group = (await Committee.findById(agreement!.workingGroup).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
    expect(group.kind).to.equal('volunteer-working-group');
    expect(group.members).to.have.length(5);
    const users = await User.find({ username: { $in: group.members.map((m) => m.username!) } }).setOptions({ scope: 'system' }).lean<{ role: string; placeCode: string }[]>();
    const towns = await Place.find({ code: { $in: users.map((u) => u.placeCode) } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
    expect(users.every((u) => u.role === 'mayor')).to.equal(true);
    expect(towns).to.have.length(5);
    expect(towns.every((t) => t.province === '02' && t.population! < 50_000)).to.equal(true);
  });

  it('spreads illustrative field problems over two years, so this quarter and last year’s both show reports', async () => {
    const problems = await FieldProblem.find({}).setOptions({ scope: 'system' }).lean<FieldProblemRecord[]>();
    expect(problems.every((p) => p.illustrative === true)).to.equal(true);
    const months = new Set(problems.map((p) => `${toJalali(p.reportedAt).year}-${toJalali(p.reportedAt).month}`));
    expect(months.size).to.be.at.least(20);
    expect(problems.every((p) => p.reportedAt.getTime() <= Date.now())).to.equal(true);
    const trends = await topicTrends(governor);
    expect(trends.total.quarter.reports).to.be.above(0);
    expect(trends.total.lastYear.reports).to.be.above(0);
  });

  it('has the secretariat’s nine example axes and its operational plan due two months after its meeting', async () => {
    expect(await PolicyAxis.countDocuments({ illustrative: true }).setOptions({ scope: 'system' })).to.equal(9);
    const plan = (await Resolution.findOne({ policyAxis: 'axis-1' }).setOptions({ scope: 'system' }).lean<ResolutionRecord>())!;
    expect(plan.deadline).to.deep.include({ type: 'within', months: 2 });
    expect(plan.meeting).to.not.equal(undefined);
  });

  it('loads once', async () => {
    expect(await loadAgreementDemo()).to.equal(false);
  });
});
