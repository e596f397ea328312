import { expect } from 'chai';
import { Committee } from '../../../models/committee.model.js';
import { Meeting, type MeetingRecord } from '../../../models/meeting.model.js';
import { OutboxMessage } from '../../../models/outbox-message.model.js';
import { complianceGrid } from '../../../server/committees/compliance.service.js';
import { loadCommitteeReferenceData } from '../../../server/committees/reference-data.js';
import { listResolutions } from '../../../server/committees/resolutions.service.js';
import { toJalali } from '../../../server/shared/jalali.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';

describe('The seed-002 reference data', () => {
  const today = new Date();

  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    await loadPlaces('02');
    expect(await loadCommitteeReferenceData(today)).to.equal(true);
  });

  it('holds the provincial strategic committee’s meeting of 3 Mordad 1397, held with approved minutes', async () => {
    const provincial = await Committee.findOne({ kind: 'provincial-strategic', placeCode: '02' }).setOptions({ scope: 'system' }).lean();
    const meetings = await Meeting.find({ committee: provincial!._id, month: '1397-05' }).setOptions({ scope: 'system' }).lean<MeetingRecord[]>();
    expect(meetings).to.have.length(1);
    expect(toJalali(meetings[0]!.startsAt)).to.include({ year: 1397, month: 5, day: 3 });
    expect(meetings[0]!.state).to.equal('minutes-approved');
    expect(meetings[0]!.history.map((h) => h.action)).to.deep.equal(['scheduled', 'held', 'minutes', 'minutes-approved']);
  });

  it('has its nine resolutions, each with the agency and deadline the text implies', async () => {
    const provincial = await Committee.findOne({ kind: 'provincial-strategic', placeCode: '02' }).setOptions({ scope: 'system' }).lean();
    const resolutions = (await listResolutions('system', { committee: String(provincial!._id) }, today)).sort((a, b) => a.number - b.number);
    expect(resolutions.map((r) => [r.number, r.agency, r.deadline.type])).to.deep.equal([
      [1, 'political', 'monthly'],
      [2, 'rural-affairs', 'monthly'],
      [3, 'county-governorates', 'monthly'],
      [4, 'broadcaster', 'monthly'],
      [5, 'political', 'monthly'],
      [6, 'technical-vocational', 'monthly'],
      [7, 'industry-mine-trade', 'monthly'],
      [8, 'agricultural-jihad', 'monthly'],
      [9, 'urban-affairs', 'within'],
    ]);
    const mayors = resolutions[8]!;
    expect(mayors.text).to.contain('شهرهای زیر ۲۰ هزار نفر');
    expect(mayors.deadline).to.deep.equal({ type: 'within', months: 1 });
    expect(mayors.dueOn).to.deep.equal({ year: 1397, month: 6, day: 3 });
    expect(mayors.instances).to.deep.equal([{ period: 'once', due: { year: 1397, month: 6, day: 3 }, doneOn: { year: 1397, month: 5, day: 28 }, state: 'done' }]);
    expect(resolutions[6]!.collaborators).to.deep.equal(['cultural-heritage', 'fund']);
    expect(resolutions[6]!.targetGroup).to.equal('craftspeople');
  });

  it('counts the county committees’ monthly reports from Mordad to Esfand 1397, the late one late', async () => {
    const villageHeads = (await listResolutions('system', { agency: 'rural-affairs' }, today))[0]!;
    expect(villageHeads.instances.map((i) => [i.period, i.state])).to.deep.equal([
      ['1397-05', 'done'],
      ['1397-06', 'done'],
      ['1397-07', 'done-late'],
      ['1397-08', 'overdue'],
      ['1397-09', 'overdue'],
      ['1397-10', 'overdue'],
      ['1397-11', 'overdue'],
      ['1397-12', 'overdue'],
    ]);
    expect(villageHeads.state).to.equal('overdue');
    expect(villageHeads.instances.at(-1)!.due).to.deep.equal({ year: 1397, month: 12, day: 29 });
  });

  it('sets up a county strategic committee in each of Mazandaran’s 22 counties, with months held and missed', async () => {
    expect(await Committee.countDocuments({ kind: 'county-strategic', province: '02' }).setOptions({ scope: 'system' })).to.equal(22);
    const now = toJalali(today);
    const grid = await complianceGrid({ place: '02', year: now.year, today });
    const counties = grid.committees.filter((c) => c.kind === 'county-strategic');
    expect(counties).to.have.length(22);
    const states = new Set(counties.flatMap((c) => c.months.map((m) => m.state)));
    if (now.month > 4) expect([...states]).to.include.members(['held', 'missed', 'due']);
    const sari = counties.find((c) => c.place === '0207')!;
    expect(sari.placeName).to.equal('ساری');
    expect(sari.months[now.month - 1]!.state).to.equal('due');
  });

  it('queues no e-mail for the past meetings, and loads only once', async () => {
    expect(await OutboxMessage.countDocuments({})).to.equal(0);
    expect(await loadCommitteeReferenceData(today)).to.equal(false);
  });
});
