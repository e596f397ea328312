/**
 * Calendar invitations (RFC 5545) for committee meetings, sent as e-mail attachments so the
 * meeting lands in members' phone calendars. Updates reuse the UID with a higher SEQUENCE, so a
 * calendar moves the existing event instead of adding a second one; a cancellation is the same UID
 * with METHOD:CANCEL and STATUS:CANCELLED.
 */

export interface IcsPerson {
  name: string;
  email: string;
}

export interface MeetingIcsInput {
  /** Stable per meeting, e.g. `meeting-<id>@<host>`. */
  uid: string;
  /** 0 for the first invitation; increase it with every change or the cancellation. */
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  start: Date;
  durationMinutes: number;
  summary: string;
  description?: string;
  location?: string;
  organizer: IcsPerson;
  attendees: readonly IcsPerson[];
  url?: string;
  /** When this version was made (DTSTAMP); defaults to now. Passed in by tests for stable output. */
  stamp?: Date;
}

export const TEHRAN_TZID = 'Asia/Tehran';

/** Programming errors (thrown as RangeError with the key as message): a negative/fractional sequence, a non-positive duration. */
export const ICS_REASONS = ['ics.sequence', 'ics.duration'] as const;

/**
 * Iran abolished daylight saving time from 1401 (2022), so Tehran is +03:30 all year and a single
 * STANDARD block describes it. Local times below are computed with the same fixed offset, so the
 * file is self-consistent even for a (past) date that had summer time. If DST ever returns, this
 * block and `tehranLocal` must change together.
 */
const TEHRAN_OFFSET_MINUTES = 210;
const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${TEHRAN_TZID}`,
  'BEGIN:STANDARD',
  'DTSTART:19700101T000000',
  'TZOFFSETFROM:+0330',
  'TZOFFSETTO:+0330',
  'TZNAME:+0330',
  'END:STANDARD',
  'END:VTIMEZONE',
];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function basicDateTime(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** `YYYYMMDDTHHMMSS` as a Tehran clock shows the instant (a "floating" time qualified by TZID). */
export function tehranLocal(instant: Date): string {
  return basicDateTime(new Date(instant.getTime() + TEHRAN_OFFSET_MINUTES * 60_000));
}

/** `YYYYMMDDTHHMMSSZ` in UTC, as DTSTAMP requires. */
export function utcStamp(instant: Date): string {
  return `${basicDateTime(instant)}Z`;
}

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, and newlines as \n. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Parameter values cannot contain DQUOTE or control characters; they are quoted because names contain , ; : */
function paramValue(text: string): string {
  return `"${text.replace(/["\u0000-\u001f\u007f]/g, '')}"`;
}

/** URIs and identifiers: strip anything that could end the line or the property. */
function bare(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '');
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): continuation lines begin with one space, which
 * counts towards their 75. Octets, not characters: a Persian letter is 2 bytes in UTF-8, so a
 * Persian summary folds after ~37 letters; a fold never splits a character's bytes.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

export function meetingIcs(input: MeetingIcsInput): string {
  if (!Number.isInteger(input.sequence) || input.sequence < 0) throw new RangeError('ics.sequence');
  if (!(input.durationMinutes > 0)) throw new RangeError('ics.duration');
  const end = new Date(input.start.getTime() + input.durationMinutes * 60_000);
  const cancel = input.method === 'CANCEL';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Rural Insurance Campaign Tracker//Committees//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${input.method}`,
    ...VTIMEZONE,
    'BEGIN:VEVENT',
    `UID:${bare(input.uid)}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTAMP:${utcStamp(input.stamp ?? new Date())}`,
    `DTSTART;TZID=${TEHRAN_TZID}:${tehranLocal(input.start)}`,
    `DTEND;TZID=${TEHRAN_TZID}:${tehranLocal(end)}`,
    `SUMMARY:${escapeText(input.summary)}`,
  ];
  if (input.description) lines.push(`DESCRIPTION:${escapeText(input.description)}`);
  if (input.location) lines.push(`LOCATION:${escapeText(input.location)}`);
  if (input.url) lines.push(`URL:${bare(input.url)}`);
  lines.push(`ORGANIZER;CN=${paramValue(input.organizer.name)}:mailto:${bare(input.organizer.email)}`);
  for (const a of input.attendees) {
    lines.push(`ATTENDEE;CN=${paramValue(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=${cancel ? 'FALSE' : 'TRUE'}:mailto:${bare(a.email)}`);
  }
  lines.push(`STATUS:${cancel ? 'CANCELLED' : 'CONFIRMED'}`, 'TRANSP:OPAQUE', 'END:VEVENT', 'END:VCALENDAR');
  // Every line, the last included, ends in CRLF.
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
