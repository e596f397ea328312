import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { COMMITTEE_KINDS, type CommitteeRecord } from '../../models/committee.model.js';
import { RESOLUTION_STATUSES, TARGET_GROUPS } from '../../models/resolution.model.js';
import { assertInScope } from '../auth/scope.js';
import { validationFailed } from '../errors/app-error.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { t, type Lang } from '../i18n/index.js';
import { ANY_LEVEL, placeFilter, placePicker as picker } from '../places/place-picker.js';
import { formatJalaliForDisplay, fromJalali, jalaliMonthName, toJalali, type JalaliDate } from '../shared/jalali.js';
import { toPersianDigits } from '../shared/persian-text.js';
import { listAxes } from '../agreements/axes.service.js';
import { listTopics } from '../field-problems/topics.service.js';
import { addAgency as addAgencyToRegister, agencyNames, changeAgency as changeRegisteredAgency, getAgency, listAgencies } from './agencies.service.js';
import { createCommittee as create, getCommittee, listCommittees, placeNames, runsCommittee } from './committees.service.js';
import { complianceGrid } from './compliance.service.js';
import { historyDetail } from './history-text.js';
import { meetingCalendar, type MailSettings } from './invitations.js';
import * as meetings from './meetings.service.js';
import { governorOverview } from './overview.service.js';
import { addResolution as add, agencySummary, getResolution, linkedQuotas, listResolutions, meetingsAndCommittees, toResolutionView, type ResolutionView } from './resolutions.service.js';
import { ATTACHMENT_MAX_BYTES, attachmentOf, postUpdate as post, updatesOf } from './updates.service.js';
import * as v from './validation.js';

/** A Jalali day for people: ۳ مرداد ۱۳۹۷. */
function day(date: JalaliDate | null | undefined, lang: Lang): string {
  return date ? formatJalaliForDisplay(fromJalali(date), lang) : '';
}

function monthLabel(key: string, lang: Lang): string {
  const [year, month] = key.split('-').map(Number);
  const text = `${jalaliMonthName(month!, lang)} ${year}`;
  return lang === 'fa' ? toPersianDigits(text) : text;
}

/** A resolution as a row of a list: where it was decided, who owes it, what state it is in. */
export async function resolutionRows(views: ResolutionView[], province: string, lang: Lang) {
  const [names, { meetings: byMeeting, committees: byCommittee }] = await Promise.all([agencyNames(province, lang), meetingsAndCommittees(views)]);
  return views.map((r) => ({
    id: r.id,
    number: r.number,
    text: r.text,
    agency: r.agency,
    agencyName: names.get(r.agency) ?? r.agency,
    collaborators: r.collaborators.map((c) => names.get(c) ?? c),
    state: r.state,
    progress: r.progress,
    deadlineText: deadlineText(r, lang),
    nextDue: day(r.nextDue, lang),
    committee: r.committee,
    committeeName: byCommittee.get(r.committee)?.name ?? '',
    meeting: r.meeting,
    agreement: r.agreement,
    meetingDate: byMeeting.get(r.meeting) ? formatJalaliForDisplay(byMeeting.get(r.meeting)!.startsAt, lang) : '',
  }));
}

function deadlineText(r: ResolutionView, lang: Lang): { key: string; params: Record<string, string | number> } {
  switch (r.deadline.type) {
    case 'date':
      return { key: 'committees.deadline.onDate', params: { date: day(r.deadline.date, lang) } };
    case 'within': {
      const { months = 0, days = 0 } = r.deadline;
      const key = months && days ? 'committees.deadline.within' : months ? 'committees.deadline.withinMonths' : 'committees.deadline.withinDays';
      return { key, params: { months, days, due: day(r.dueOn, lang) } };
    }
    case 'monthly':
      return r.deadline.until ? { key: 'committees.deadline.monthlyUntil', params: { until: day(r.deadline.until, lang) } } : { key: 'committees.deadline.monthly', params: {} };
  }
}

// ── committees ──

export async function committeeList(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, v.committeeListQuery);
  const [committees, agencies] = await Promise.all([listCommittees(req.user!, query), listAgencies(req.user!.province, req.lang)]);
  const mayCreate = req.user!.role === 'governor-office' || req.user!.role === 'county-governor';
  const placePicker = mayCreate ? await picker(req.user!, ANY_LEVEL, res.locals.form?.values?.place) : null;
  res.render('committees/index', { title: t(req.lang, 'committees.title'), committees, kinds: COMMITTEE_KINDS, agencies, mayCreate, query, placePicker });
}

export async function createCommittee(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.createCommitteeForm);
  const committee = await create(req.user!, {
    kind: body.kind,
    place: body.place,
    name: body.name,
    meetsMonthly: body.meetsMonthly,
    chair: { name: body.chairName, ...(body.chairEmail ? { email: body.chairEmail } : {}) },
    members: [...body.people, ...body.agencies.map((agency) => ({ kind: 'agency' as const, agency }))],
    ...(body.reportsToText ? { reportsToText: body.reportsToText } : {}),
  });
  setFlash(req, { type: 'success', key: 'committees.created', params: { name: committee.name } });
  res.redirect(303, `/committees/${String(committee._id)}`);
}

export async function committee(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const committee = await getCommittee(req.user!, params.id);
  const [list, resolutions, names, places, reportsTo] = await Promise.all([
    meetings.meetingsOf(req.user!, committee),
    listResolutions(req.user!, { committee: params.id }),
    agencyNames(req.user!.province, req.lang),
    placeNames([committee.placeCode]),
    committee.reportsTo ? getCommittee('system', committee.reportsTo).catch(() => null) : null,
  ]);
  res.render('committees/show', {
    title: committee.name,
    committee,
    placeName: places.get(committee.placeCode),
    members: committee.members.map((m) => ({ ...m, agencyName: m.agency ? names.get(m.agency) : undefined })),
    reportsTo,
    meetings: list.map((m) => ({ id: String(m._id), when: formatJalaliForDisplay(m.startsAt, req.lang, { withTime: true }), location: m.location, state: m.state })),
    resolutions: await resolutionRows(resolutions, req.user!.province, req.lang),
    runs: runsCommittee(req.user!, committee),
  });
}

/** Twelve months must fit a phone's width: each state is one symbol, with its words for screen readers and in the legend. */
const MONTH_SYMBOLS = { held: '✓', scheduled: '◷', missed: '✗', due: '!', notDue: '·' } as const;

/** Committees that answer to compliance sit at these levels; a village is not one of them. */
const COMPLIANCE_LEVELS = ['province', 'county', 'district'] as const;

export async function compliance(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, v.compliancePageQuery);
  const chosen = await placeFilter(req.user!, COMPLIANCE_LEVELS, query.place, query.placePick);
  const place = await assertInScope(req.user!, chosen.code ?? req.user!.placeCode);
  const year = query.year ?? toJalali(new Date()).year;
  const grid = await complianceGrid({ place: place.code, year, scope: req.user! });
  // a phone shows five months, opening on the current one (the last four and the next); a wide screen all twelve
  const today = toJalali(new Date());
  const from = query.from ?? (year === today.year ? Math.max(1, Math.min(8, today.month - 3)) : year < today.year ? 8 : 1);
  const off = (month: number) => month < from || month > from + 4;
  const months = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, name: jalaliMonthName(i + 1, req.lang), current: grid.currentMonth === `${year}-${String(i + 1).padStart(2, '0')}`, off: off(i + 1) }));
  const rows = grid.committees.map((row) => ({ ...row, months: row.months.map((m) => ({ ...m, off: off(m.month) })) }));
  const legend = (['held', 'scheduled', 'missed', 'due'] as const).map((state) => ({ state, symbol: MONTH_SYMBOLS[state] }));
  const yearText = req.lang === 'fa' ? toPersianDigits(year) : String(year);
  const page = (start: number) => `/committees/compliance?place=${place.code}&year=${year}&from=${start}`;
  const window = { earlier: from > 1 ? page(Math.max(1, from - 4)) : null, later: from < 8 ? page(Math.min(8, from + 4)) : null };
  res.render('committees/compliance', { title: t(req.lang, 'committees.compliance'), place, year, yearText, grid: { ...grid, committees: rows }, months, window, symbols: MONTH_SYMBOLS, legend, previousYear: year - 1, nextYear: year + 1, placePicker: chosen.picker });
}

// ── meetings ──

export function scheduleMeeting(mail: MailSettings): RequestHandler {
  return async (req, res) => {
    const { params, body } = validated(req, v.scheduleForm);
    const meeting = await meetings.scheduleMeeting(req.user!, params.id, body, mail);
    setFlash(req, { type: 'success', key: 'committees.meetingScheduled', params: { when: formatJalaliForDisplay(meeting.startsAt, req.lang, { withTime: true }) } });
    res.redirect(303, `/meetings/${String(meeting._id)}`);
  };
}

export async function recordPastMeeting(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.pastMeetingForm);
  const meeting = await meetings.recordPastMeeting(req.user!, params.id, body);
  setFlash(req, { type: 'success', key: 'committees.pastMeetingRecorded', params: { when: formatJalaliForDisplay(meeting.startsAt, req.lang, { withTime: true }) } });
  res.redirect(303, `/meetings/${String(meeting._id)}`);
}

export async function meeting(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const { meeting, committee } = await meetings.getMeeting(req.user!, params.id);
  const [resolutions, agencies, names, axes, topics] = await Promise.all([listResolutions(req.user!, { meeting: params.id }), listAgencies(req.user!.province, req.lang), agencyNames(req.user!.province, req.lang), listAxes(req.user!), listTopics(req.user!, req.lang)]);
  const runs = runsCommittee(req.user!, committee);
  const j = toJalali(meeting.startsAt);
  res.render('committees/meeting', {
    title: committee.name,
    meeting: { ...meeting, id: String(meeting._id), when: formatJalaliForDisplay(meeting.startsAt, req.lang, { withTime: true }) },
    committee: { ...committee, id: String(committee._id) },
    invitees: invitable(committee, names),
    history: meeting.history.map((h) => ({ ...h, when: formatJalaliForDisplay(h.at, req.lang, { withTime: true }), detail: historyDetail(h, req.lang) })),
    resolutions: await resolutionRows(resolutions, req.user!.province, req.lang),
    agencies,
    axes,
    topics,
    targetGroups: TARGET_GROUPS,
    runs,
    scheduled: meeting.state === 'scheduled',
    held: meeting.state === 'held',
    takesResolutions: runs && meeting.state !== 'cancelled',
    current: { date: toPersianDigits(`${j.year}/${String(j.month).padStart(2, '0')}/${String(j.day).padStart(2, '0')}`), time: toPersianDigits(`${String(j.hour).padStart(2, '0')}:${String(j.minute).padStart(2, '0')}`) },
  });
}

/** The people an attendance sheet lists: the chair, named members and agency seats. */
function invitable(committee: CommitteeRecord, names: Map<string, string>): string[] {
  return [committee.chair.name, ...committee.members.map((m) => (m.kind === 'agency' ? (names.get(m.agency ?? '') ?? m.agency ?? '') : (m.name ?? '')))].filter(Boolean);
}

export function calendarFile(mail: MailSettings): RequestHandler {
  return async (req, res) => {
    const { params } = validated(req, v.idParams);
    const { meeting, committee } = await meetings.getMeeting(req.user!, params.id);
    res.set('content-type', 'text/calendar; charset=utf-8');
    res.set('content-disposition', `attachment; filename="meeting-${params.id}.ics"`);
    res.send(await meetingCalendar(meeting, committee, mail));
  };
}

export function rescheduleMeeting(mail: MailSettings): RequestHandler {
  return async (req, res) => {
    const { params, body } = validated(req, v.scheduleForm);
    const meeting = await meetings.rescheduleMeeting(req.user!, params.id, body, mail);
    setFlash(req, { type: 'success', key: 'committees.meetingRescheduled', params: { when: formatJalaliForDisplay(meeting.startsAt, req.lang, { withTime: true }) } });
    res.redirect(303, `/meetings/${params.id}`);
  };
}

export function cancelMeeting(mail: MailSettings): RequestHandler {
  return async (req, res) => {
    const { params, body } = validated(req, v.cancelForm);
    await meetings.cancelMeeting(req.user!, params.id, body.reason, mail);
    setFlash(req, { type: 'success', key: 'committees.meetingCancelledDone' });
    res.redirect(303, `/meetings/${params.id}`);
  };
}

export async function recordHeld(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.heldForm);
  const { committee } = await meetings.getMeeting(req.user!, params.id);
  const present = new Set(body.present);
  const listed = invitable(committee, await agencyNames(req.user!.province, req.lang));
  const others = body.others.split(/\r?\n|،|,/).map((s) => s.trim()).filter(Boolean);
  const attendance = [...listed.map((name) => ({ name, present: present.has(name) })), ...others.map((name) => ({ name, present: true }))];
  await meetings.recordHeld(req.user!, params.id, { attendance });
  setFlash(req, { type: 'success', key: 'committees.meetingHeld' });
  res.redirect(303, `/meetings/${params.id}`);
}

export async function saveMinutes(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.minutesForm);
  await meetings.saveMinutes(req.user!, params.id, body.minutes);
  setFlash(req, { type: 'success', key: 'committees.minutesSaved' });
  res.redirect(303, `/meetings/${params.id}`);
}

export async function approveMinutes(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  await meetings.approveMinutes(req.user!, params.id);
  setFlash(req, { type: 'success', key: 'committees.minutesApproved' });
  res.redirect(303, `/meetings/${params.id}`);
}

export async function addResolution(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.resolutionForm);
  const resolution = await add(req.user!, params.id, body);
  setFlash(req, { type: 'success', key: 'committees.resolutionAdded', params: { number: resolution.number } });
  res.redirect(303, `/meetings/${params.id}`);
}

// ── resolutions ──

export async function tracker(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, v.resolutionListQuery);
  const [views, agencies, committees] = await Promise.all([
    listResolutions(req.user!, { ...query, dueThisMonth: query.due === 'this-month' }),
    listAgencies(req.user!.province, req.lang),
    listCommittees(req.user!),
  ]);
  res.render('committees/tracker', { title: t(req.lang, 'committees.tracker'), resolutions: await resolutionRows(views, req.user!.province, req.lang), agencies, committees, statuses: [...RESOLUTION_STATUSES, 'overdue'], query });
}

export async function resolution(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const record = await getResolution(req.user!, params.id);
  const view = toResolutionView(record, new Date());
  const [[row], updates, quotas] = await Promise.all([resolutionRows([view], req.user!.province, req.lang), updatesOf(req.user!, record), linkedQuotas(record)]);
  const user = req.user!;
  const mayUpdate = record.status !== 'cancelled' && ((user.role === 'agency-officer' && user.agency === record.agency) || user.role === 'governor-office');
  res.render('committees/resolution', {
    title: t(req.lang, 'committees.resolution'),
    resolution: row,
    targetGroup: record.targetGroup,
    policyAxis: record.policyAxis,
    quotaLink: record.quotaLink?.holderLevel,
    quotas,
    communicatedOn: day(record.communicatedOn, req.lang),
    instances: view.instances.map((i) => ({ period: i.period === 'once' ? '' : monthLabel(i.period, req.lang), due: day(i.due, req.lang), doneOn: day(i.doneOn, req.lang), state: i.state })),
    outstanding: view.deadline.type === 'monthly' ? view.instances.filter((i) => !i.doneOn).map((i) => ({ value: i.period, label: monthLabel(i.period, req.lang) })) : [],
    updates: updates.map((u) => ({ ...u, id: String(u._id), when: formatJalaliForDisplay(u.createdAt, req.lang, { withTime: true }), period: u.period && u.period !== 'once' ? monthLabel(u.period, req.lang) : '' })),
    history: record.history.map((h) => ({ ...h, when: formatJalaliForDisplay(h.at, req.lang, { withTime: true }), detail: historyDetail(h, req.lang) })),
    statuses: user.role === 'governor-office' ? RESOLUTION_STATUSES : RESOLUTION_STATUSES.filter((s) => s !== 'cancelled'),
    mayUpdate,
    maxMegabytes: ATTACHMENT_MAX_BYTES / 1024 / 1024,
  });
}

// browsers send file names as UTF-8 without saying so; Persian names would otherwise arrive as latin1
const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: ATTACHMENT_MAX_BYTES + 1, files: 1, fields: 20 } }).single('attachment');

/**
 * Reads the multipart update form. A file over the limit is refused as a form error beside the field (multer
 * stops reading at the limit, so an oversized upload costs no memory); an empty file input counts as none.
 */
export function attachmentUpload(req: Request, res: Response, next: NextFunction): void {
  upload(req, res, (err: unknown) => {
    if ((err as { code?: string })?.code === 'LIMIT_FILE_SIZE') return next(validationFailed({ attachment: 'committees.attachmentTooLarge' }));
    if (err) return next(validationFailed({ attachment: 'committees.attachmentType' }));
    next();
  });
}

export async function postUpdate(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.updateForm);
  const file = req.file && req.file.size > 0 ? { filename: req.file.originalname, data: req.file.buffer } : undefined;
  await post(req.user!, params.id, { ...body, ...(file ? { attachment: file } : {}) });
  setFlash(req, { type: 'success', key: 'committees.updatePosted' });
  res.redirect(303, `/resolutions/${params.id}`);
}

export async function attachment(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const file = await attachmentOf(req.user!, params.id);
  res.set('content-type', file.contentType);
  res.set('content-disposition', `attachment; filename="attachment"; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  res.set('x-content-type-options', 'nosniff');
  res.send(file.data);
}

// ── agencies and the governor's overview ──

export async function agencyList(req: Request, res: Response): Promise<void> {
  const agencies = await listAgencies(req.user!.province, req.lang, { includeInactive: req.user!.role === 'governor-office' });
  const rows = await Promise.all(
    agencies.map(async (a) => {
      const summary = await agencySummary(req.user!, a.code);
      return { ...a, owed: summary.owed.length, overdue: summary.overdue, rate: summary.onTimeRate === null ? null : Math.round(summary.onTimeRate * 100) };
    }),
  );
  res.render('committees/agencies', { title: t(req.lang, 'committees.agencies'), agencies: rows, isGovernor: req.user!.role === 'governor-office' });
}

export async function addAgency(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.agencyForm);
  const agency = await addAgencyToRegister(req.user!, body);
  setFlash(req, { type: 'success', key: 'committees.agencyAdded', params: { name: agency.name } });
  res.redirect(303, `/agencies/${agency.code}`);
}

export async function agency(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.agencyParams);
  const agency = await getAgency(req.user!.province, params.code, req.lang);
  const summary = await agencySummary(req.user!, agency.code);
  res.render('committees/agency', {
    title: agency.name,
    agency,
    owed: await resolutionRows(summary.owed, req.user!.province, req.lang),
    delivered: await resolutionRows(summary.delivered, req.user!.province, req.lang),
    summary: { ...summary, rate: summary.onTimeRate === null ? null : Math.round(summary.onTimeRate * 100) },
    isGovernor: req.user!.role === 'governor-office',
  });
}

export async function changeAgency(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.agencyChangeForm);
  const agency = await changeRegisteredAgency(req.user!, params.code, body);
  setFlash(req, { type: 'success', key: 'committees.agencyChanged', params: { name: agency.name } });
  res.redirect(303, `/agencies/${agency.code}`);
}

export async function overview(req: Request, res: Response): Promise<void> {
  const view = await governorOverview(req.user!);
  const names = await agencyNames(req.user!.province, req.lang);
  res.render('committees/overview', {
    title: t(req.lang, 'committees.overview'),
    overdue: await Promise.all(view.overdue.map(async (g) => ({ agency: g.agency, agencyName: names.get(g.agency) ?? g.agency, count: g.resolutions.length, resolutions: await resolutionRows(g.resolutions, req.user!.province, req.lang) }))),
    notMetThisMonth: view.notMetThisMonth,
    missedLastMonth: view.missedLastMonth,
    thisMonth: monthLabel(view.thisMonth, req.lang),
    lastMonth: monthLabel(view.lastMonth, req.lang),
  });
}
