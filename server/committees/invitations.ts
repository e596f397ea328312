import type { ClientSession } from 'mongoose';
import { Agency, type AgencyRecord } from '../../models/agency.model.js';
import type { CommitteeRecord } from '../../models/committee.model.js';
import type { MeetingRecord } from '../../models/meeting.model.js';
import { OutboxMessage } from '../../models/outbox-message.model.js';
import type { Config } from '../config.js';
import { t } from '../i18n/index.js';
import { formatJalaliForDisplay } from '../shared/jalali.js';
import { meetingIcs, type IcsPerson } from './ics.js';

/** What invitations need from the configuration: who sends them and where the application lives. */
export interface MailSettings {
  from: string;
  publicUrl: string;
}

export function mailSettings(config: Pick<Config, 'mailFrom' | 'publicUrl'>): MailSettings {
  return { from: config.mailFrom, publicUrl: config.publicUrl.replace(/\/$/, '') };
}

export type InvitationKind = 'invitation' | 'update' | 'cancel';

/** The calendar UID of a meeting: the same for the invitation and every update, so calendars move one event. */
export function meetingUid(meeting: Pick<MeetingRecord, '_id'>, mail: MailSettings): string {
  return `meeting-${String(meeting._id)}@${new URL(mail.publicUrl).hostname}`;
}

/**
 * Everyone a committee invites: the chair, its named members and, for each agency seat, the agency's office
 * mailbox. People without an address cannot be mailed and are left out (the meeting page still lists them).
 */
export async function committeeInvitees(committee: CommitteeRecord, session?: ClientSession): Promise<IcsPerson[]> {
  const agencyCodes = committee.members.filter((m) => m.kind === 'agency' && m.agency).map((m) => m.agency!);
  const agencies = agencyCodes.length ? await Agency.find({ province: committee.province, code: { $in: agencyCodes } }).session(session ?? null).lean<AgencyRecord[]>() : [];
  const people: IcsPerson[] = [];
  if (committee.chair.email) people.push({ name: committee.chair.name, email: committee.chair.email });
  for (const m of committee.members) if (m.kind === 'person' && m.email) people.push({ name: m.name ?? m.email, email: m.email });
  for (const a of agencies) if (a.email && a.active) people.push({ name: a.nameFa, email: a.email });
  const seen = new Set<string>();
  return people.filter((p) => !seen.has(p.email) && seen.add(p.email));
}

/** The meeting as a calendar file, as the invitations carry it (same UID and SEQUENCE), for downloading from its page. */
export async function meetingCalendar(meeting: MeetingRecord, committee: CommitteeRecord, mail: MailSettings): Promise<string> {
  return meetingIcs({
    uid: meetingUid(meeting, mail),
    sequence: meeting.sequence,
    method: meeting.state === 'cancelled' ? 'CANCEL' : 'REQUEST',
    start: meeting.startsAt,
    durationMinutes: meeting.durationMinutes,
    summary: committee.name,
    description: meeting.agenda || undefined,
    location: meeting.location,
    organizer: { name: committee.chair.name, email: mail.from },
    attendees: await committeeInvitees(committee),
    url: `${mail.publicUrl}/meetings/${String(meeting._id)}`,
  });
}

/**
 * Queues one e-mail per invitee in the outbox (delivered by the jobs' outbox delivery), each with the meeting as
 * an ICS attachment: METHOD:REQUEST for the invitation and every change (same UID, the meeting's current
 * SEQUENCE), METHOD:CANCEL for a cancellation. The dedupe key names the meeting, the sequence and the address,
 * so a retried request never mails anyone twice for the same version. Written in the caller's transaction.
 */
export async function queueInvitations(
  kind: InvitationKind,
  meeting: MeetingRecord,
  committee: CommitteeRecord,
  mail: MailSettings,
  session?: ClientSession,
): Promise<number> {
  const invitees = await committeeInvitees(committee, session);
  if (invitees.length === 0) return 0;
  const link = `${mail.publicUrl}/meetings/${String(meeting._id)}`;
  const when = formatJalaliForDisplay(meeting.startsAt, 'fa', { withTime: true });
  const ics = meetingIcs({
    uid: meetingUid(meeting, mail),
    sequence: meeting.sequence,
    method: kind === 'cancel' ? 'CANCEL' : 'REQUEST',
    start: meeting.startsAt,
    durationMinutes: meeting.durationMinutes,
    summary: committee.name,
    description: meeting.agenda || undefined,
    location: meeting.location,
    organizer: { name: committee.chair.name, email: mail.from },
    attendees: invitees,
    url: link,
  });
  const params = { committee: committee.name, when, location: meeting.location, link };
  const subject = t('fa', `committees.mail.subject.${kind}`, params);
  const lines = [t('fa', `committees.mail.intro.${kind}`, params), t('fa', 'committees.mail.when', params), t('fa', 'committees.mail.where', params)];
  const agenda = meeting.agenda ? `${t('fa', 'committees.agenda')}:\n${meeting.agenda}` : '';
  const text = [...lines, agenda, link].filter(Boolean).join('\n\n');
  const html = `<div dir="rtl" lang="fa">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}${
    meeting.agenda ? `<p><strong>${escapeHtml(t('fa', 'committees.agenda'))}</strong></p><p style="white-space:pre-line">${escapeHtml(meeting.agenda)}</p>` : ''
  }<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p></div>`;
  const method = kind === 'cancel' ? 'CANCEL' : 'REQUEST';
  await OutboxMessage.insertMany(
    invitees.map((person) => ({
      to: person.email,
      province: meeting.province,
      subject,
      text,
      html,
      kind: `meeting-${kind}`,
      dedupeKey: `meeting:${String(meeting._id)}:${meeting.sequence}:${person.email}`,
      attachments: [{ filename: 'meeting.ics', contentType: `text/calendar; method=${method}; charset=UTF-8`, content: ics, encoding: 'utf8' }],
    })),
    { session },
  );
  return invitees.length;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
