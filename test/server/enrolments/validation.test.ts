import { expect } from 'chai';
import { readEnrolmentInput } from '../../../server/enrolments/validation.js';

const typed = {
  nationalId: '0499370899',
  firstName: ' مریم ',
  lastName: 'رضایی',
  birthDate: '1370/05/03',
  sex: 'female',
  mobile: '09121234567',
  targetGroup: 'villagers',
  channel: 'online',
};

describe('Reading an enrolment as typed', () => {
  it('makes every field canonical: Latin digits, trimmed names, a Jalali date', () => {
    const read = readEnrolmentInput({ ...typed, nationalId: '۰۴۹۹ ۳۷۰ ۸۹۹', birthDate: '۱۳۷۰-۵-۳', mobile: '+98 912 123 4567', village: '۰۳۰۳۰۳۰۰۰۱۰۲۹۴۰۹' });
    expect(read).to.deep.equal({
      ok: true,
      input: { village: '0303030001029409', nationalId: '0499370899', firstName: 'مریم', lastName: 'رضایی', birthDate: { year: 1370, month: 5, day: 3 }, sex: 'female', mobile: '09121234567', targetGroup: 'villagers', channel: 'online' },
      zerosRestored: false,
    });
  });

  it('takes sex, target group, channel and agency by their Persian or English names, as a hand-typed file has them', () => {
    const read = readEnrolmentInput({ ...typed, sex: 'زن', targetGroup: 'قالي‌بافان و صنعتگران دستي', channel: 'In person', inPersonReason: 'خود فرد خواست', referringAgency: 'سازمان جهاد کشاورزی' });
    expect(read.ok && read.input).to.include({ sex: 'female', targetGroup: 'craftspeople', channel: 'in-person', inPersonReason: 'asked', referringAgency: 'agricultural-jihad' });
  });

  it('wants the reason of an in-person enrolment on the form and the API, and lets a file row leave it out (not recorded)', () => {
    const inPerson = { ...typed, channel: 'in-person' };
    expect(readEnrolmentInput(inPerson)).to.deep.equal({ ok: false, fields: { inPersonReason: 'enrolments.inPersonReasonRequired' } });
    const fromFile = readEnrolmentInput(inPerson, { fromFile: true });
    expect(fromFile.ok && fromFile.input.channel).to.equal('in-person');
    expect(fromFile.ok && fromFile.input).to.not.have.property('inPersonReason');
    // a file row that gives a reason has it checked like any other
    expect(readEnrolmentInput({ ...inPerson, inPersonReason: 'bored' }, { fromFile: true })).to.deep.equal({ ok: false, fields: { inPersonReason: 'enrolments.inPersonReasonInvalid' } });
  });

  it('gives back the leading zeros a spreadsheet took from a national ID in a file row, and says so', () => {
    const read = readEnrolmentInput({ ...typed, nationalId: 499370899 }, { fromFile: true });
    expect(read.ok && [read.input.nationalId, read.zerosRestored]).to.deep.equal(['0499370899', true]);
  });

  it('takes a national ID on the form or the API only as exactly ten digits, padding nothing', () => {
    for (const nationalId of ['499370899', 499370899, '99370899', '04993708990']) {
      const read = readEnrolmentInput({ ...typed, nationalId });
      expect(read.ok ? read.input.nationalId : read.fields.nationalId, String(nationalId)).to.equal('nationalId.format');
    }
  });

  it('names every problem at once, each by its field', () => {
    expect(readEnrolmentInput({ nationalId: '1111111111', birthDate: '1370/07/31', sex: 'other', mobile: '0212345678', targetGroup: 'x', channel: 'x', referringAgency: 'x', village: 'x', campaign: 'x' })).to.deep.equal({
      ok: false,
      fields: {
        nationalId: 'nationalId.repeated',
        firstName: 'validation.required',
        lastName: 'validation.required',
        birthDate: 'enrolments.birthDateFormat',
        sex: 'enrolments.sexInvalid',
        mobile: 'mobile.format',
        targetGroup: 'enrolments.targetGroupInvalid',
        channel: 'enrolments.channelInvalid',
        referringAgency: 'enrolments.agencyInvalid',
        village: 'validation.placeCode',
        campaign: 'enrolments.campaignNotFound',
      },
    });
  });
});
