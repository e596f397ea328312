import { expect } from 'chai';
import { escapeText, foldLine, meetingIcs, type MeetingIcsInput } from '../../../server/committees/ics.js';
import { fromJalali } from '../../../server/shared/jalali.js';

/** Unfolds (RFC 5545 §3.1) and splits into [name+params, value] pairs, like a calendar client would. */
function parse(ics: string) {
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  const lines = unfolded.split('\r\n').filter((l) => l !== '');
  return lines.map((line) => {
    // The value starts after the first colon that is not inside a quoted parameter.
    let inQuotes = false;
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '"') inQuotes = !inQuotes;
      if (line[i] === ':' && !inQuotes) return { name: line.slice(0, i), value: line.slice(i + 1) };
    }
    throw new Error(`no value in ${line}`);
  });
}
const field = (ics: string, name: string) => parse(ics).filter((p) => p.name === name || p.name.startsWith(`${name};`));
const unescape = (v: string) => v.replace(/\\n/gi, '\n').replace(/\\([\\;,])/g, '$1');

describe('meeting invitations (iCalendar)', () => {
  const base: MeetingIcsInput = {
    uid: 'meeting-42@tracker.example',
    sequence: 0,
    method: 'REQUEST',
    // 10:00 on 3 Mordad 1404 in Tehran.
    start: fromJalali({ year: 1404, month: 5, day: 3 }, { hour: 10 }),
    durationMinutes: 90,
    summary: 'جلسه ستاد راهبردی صندوق بیمه اجتماعی کشاورزان، روستاییان و عشایر استان مازندران',
    description: 'دستور جلسه:\n۱. سهمیه دهیاران; ۲. گزارش فرمانداران, پیگیری \\ مصوبات',
    location: 'استانداری مازندران، ساری، سالن شهید بهشتی',
    organizer: { name: 'دبیرخانه ستاد', email: 'secretariat@tracker.example' },
    attendees: [
      { name: 'معاون سیاسی، امنیتی و اجتماعی', email: 'deputy@tracker.example' },
      { name: 'Fund, "Mazandaran"', email: 'fund@tracker.example' },
    ],
    url: 'https://tracker.example/meetings/42',
    stamp: new Date('2025-07-20T08:00:00Z'),
  };

  it('uses CRLF line endings only, and folds every line at 75 octets without splitting a character', () => {
    const ics = meetingIcs(base);
    expect(ics.endsWith('\r\n')).to.equal(true);
    expect(ics.replace(/\r\n/g, '')).not.to.match(/[\r\n]/);
    const physical = ics.split('\r\n');
    for (const line of physical) expect(Buffer.byteLength(line, 'utf8'), line).to.be.at.most(75);
    expect(physical.some((l) => l.startsWith(' '))).to.equal(true);
    expect(ics).not.to.include('\uFFFD');
  });

  it('carries the Persian summary, description and location back intact after unfolding and unescaping', () => {
    const ics = meetingIcs(base);
    expect(unescape(field(ics, 'SUMMARY')[0].value)).to.equal(base.summary);
    expect(unescape(field(ics, 'DESCRIPTION')[0].value)).to.equal(base.description);
    expect(unescape(field(ics, 'LOCATION')[0].value)).to.equal(base.location);
    expect(field(ics, 'DESCRIPTION')[0].value).to.include('\\;').and.include('\\,').and.include('\\\\').and.include('\\n');
  });

  it('states the start in Tehran local time with a +0330 VTIMEZONE and the stamp in UTC', () => {
    const ics = meetingIcs(base);
    expect(field(ics, 'DTSTART').map((p) => `${p.name}:${p.value}`)).to.deep.equal([
      'DTSTART:19700101T000000', // the VTIMEZONE's own
      'DTSTART;TZID=Asia/Tehran:20250725T100000',
    ]);
    expect(field(ics, 'DTEND')[0]).to.deep.equal({ name: 'DTEND;TZID=Asia/Tehran', value: '20250725T113000' });
    expect(field(ics, 'DTSTAMP')[0].value).to.equal('20250720T080000Z');
    expect(field(ics, 'TZOFFSETTO')[0].value).to.equal('+0330');
    expect(field(ics, 'TZID')[0].value).to.equal('Asia/Tehran');
  });

  it('names the organizer and attendees with quoted CN parameters', () => {
    const ics = meetingIcs(base);
    expect(field(ics, 'ORGANIZER')[0]).to.deep.equal({ name: 'ORGANIZER;CN="دبیرخانه ستاد"', value: 'mailto:secretariat@tracker.example' });
    const attendees = field(ics, 'ATTENDEE');
    expect(attendees.map((a) => a.value)).to.deep.equal(['mailto:deputy@tracker.example', 'mailto:fund@tracker.example']);
    expect(attendees[0].name).to.include('CN="معاون سیاسی، امنیتی و اجتماعی"');
    expect(attendees[1].name).to.include('CN="Fund, Mazandaran"').and.include('RSVP=TRUE');
  });

  it('keeps the UID across an update and a cancellation, with increasing SEQUENCE and STATUS:CANCELLED', () => {
    const first = meetingIcs(base);
    const moved = meetingIcs({ ...base, sequence: 1, start: fromJalali({ year: 1404, month: 5, day: 4 }, { hour: 9 }) });
    const cancelled = meetingIcs({ ...base, sequence: 2, method: 'CANCEL' });
    for (const ics of [first, moved, cancelled]) expect(field(ics, 'UID')[0].value).to.equal('meeting-42@tracker.example');
    expect([first, moved, cancelled].map((ics) => Number(field(ics, 'SEQUENCE')[0].value))).to.deep.equal([0, 1, 2]);
    expect(field(moved, 'DTSTART')[1].value).to.equal('20250726T090000');
    expect(field(first, 'STATUS')[0].value).to.equal('CONFIRMED');
    expect(field(cancelled, 'METHOD')[0].value).to.equal('CANCEL');
    expect(field(cancelled, 'STATUS')[0].value).to.equal('CANCELLED');
  });

  it('refuses a negative sequence and a zero duration with stable keys', () => {
    expect(() => meetingIcs({ ...base, sequence: -1 })).to.throw(RangeError, 'ics.sequence');
    expect(() => meetingIcs({ ...base, durationMinutes: 0 })).to.throw(RangeError, 'ics.duration');
  });

  it('escapes TEXT and folds by bytes', () => {
    expect(escapeText('a\\b;c,d\r\ne')).to.equal('a\\\\b\\;c\\,d\\ne');
    const folded = foldLine(`SUMMARY:${'س'.repeat(100)}`);
    expect(folded.split('\r\n').map((l) => Buffer.byteLength(l))).to.deep.equal([74, 75, 61]);
  });
});
