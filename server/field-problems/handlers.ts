import type { Request, Response } from 'express';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { agreementsToPropose } from '../agreements/agreements.service.js';
import { addressing, type Addressing } from '../agreements/effect.service.js';
import { PROVINCE_WIDE_ROLES } from '../auth/roles.js';
import { assertInScope } from '../auth/scope.js';
import { placeNames } from '../committees/committees.service.js';
import { ATTACHMENT_MAX_BYTES } from '../committees/updates.service.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { t, type Lang } from '../i18n/index.js';
import { ANY_LEVEL, placeFilter } from '../places/place-picker.js';
import { formatJalaliForDisplay, jalaliMonthName, parseJalaliMonthKey } from '../shared/jalali.js';
import { comparePersian, toPersianDigits } from '../shared/persian-text.js';
import { FIELD_ROLES, getThread, listThreads, problemArea, problemAttachment, reportProblem, sameHere, threadReports } from './problems.service.js';
import { addTopic, listTopics, topicNames } from './topics.service.js';
import { topicTrends, type Figures, type TrendReport } from './trends.service.js';
import * as v from './validation.js';

/** Problems listed on a page: the most widely reported first, the rest by topic filter. */
const PAGE_SIZE = 30;

const uploaded = (req: Request) => (req.file && req.file.size > 0 ? { attachment: { filename: req.file.originalname, data: req.file.buffer } } : {});

// ── problems ──

export async function list(req: Request, res: Response): Promise<void> {
  const { query: typed } = validated(req, v.problemListPageQuery);
  const user = req.user!;
  const chosen = await placeFilter(problemArea(user), ANY_LEVEL, typed.place, typed.placePick);
  const query = { topic: typed.topic, place: chosen.code };
  if (query.place) await assertInScope(problemArea(user), query.place);
  const [threads, topics, names] = await Promise.all([listThreads(user, query), listTopics(user, req.lang), topicNames(user, req.lang)]);
  const places = await placeNames(threads.map((p) => p.placeCode));
  res.render('field-problems/index', {
    title: t(req.lang, 'fieldProblems.title'),
    problems: threads.slice(0, PAGE_SIZE).map((p) => ({ ...p, topicName: names.get(p.topic) ?? p.topic, placeName: places.get(p.placeCode) ?? p.placeCode, when: formatJalaliForDisplay(p.reportedAt, req.lang) })),
    topics,
    more: Math.max(0, threads.length - PAGE_SIZE),
    query,
    placePicker: chosen.picker,
    mayReport: FIELD_ROLES.includes(user.role),
    maxMegabytes: ATTACHMENT_MAX_BYTES / 1024 / 1024,
  });
}

export async function create(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.problemForm);
  const problem = await reportProblem(req.user!, { ...body, ...uploaded(req) });
  setFlash(req, { type: 'success', key: 'fieldProblems.logged' });
  res.redirect(303, `/field-problems/${String(problem._id)}`);
}

export async function show(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const user = req.user!;
  const thread = await getThread(user, params.id);
  const [reports, names, links, agreements] = await Promise.all([threadReports(user, thread), topicNames(user, req.lang), addressing(user, [thread.topic]), agreementsToPropose(user)]);
  const places = await placeNames(reports.map((r) => r.placeCode));
  const reportedHere = reports.some((r) => r.placeCode === user.placeCode);
  res.render('field-problems/show', {
    title: t(req.lang, 'fieldProblems.problem'),
    problem: { ...thread, id: String(thread._id), topicName: names.get(thread.topic) ?? thread.topic, hasAttachment: Boolean(thread.attachment) },
    reports: reports.map((r) => ({ ...r, placeName: places.get(r.placeCode) ?? r.placeCode, when: formatJalaliForDisplay(r.reportedAt, req.lang) })),
    places: reports.length,
    people: reports.reduce((sum, r) => sum + r.affected, 0),
    maySecond: FIELD_ROLES.includes(user.role) && !reportedHere,
    reportedHere,
    links: links.get(thread.topic) ?? [],
    agreements,
  });
}

export async function second(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.sameHereForm);
  await sameHere(req.user!, params.id, body);
  setFlash(req, { type: 'success', key: 'fieldProblems.seconded' });
  res.redirect(303, `/field-problems/${params.id}`);
}

export async function attachment(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const file = await problemAttachment(req.user!, params.id);
  res.set('content-type', file.contentType);
  res.set('content-disposition', `attachment; filename="attachment"; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  res.set('x-content-type-options', 'nosniff');
  res.send(file.data);
}

// ── topics and their trends ──

export async function topicList(req: Request, res: Response): Promise<void> {
  const user = req.user!;
  const [topics, others] = await Promise.all([listTopics(user, req.lang, { includeRetired: true }), user.role === 'governor-office' ? listThreads(user, { topic: 'other' }) : Promise.resolve([])]);
  res.render('field-problems/topics', { title: t(req.lang, 'fieldProblems.topics'), topics, others, mayEdit: user.role === 'governor-office' });
}

export async function createTopic(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.topicForm);
  await addTopic(req.user!, body);
  setFlash(req, { type: 'success', key: 'fieldProblems.topicAdded' });
  res.redirect(303, '/field-problems/topics');
}

const monthLabel = (m: { year: number; month: number }, lang: Lang) => {
  const text = `${jalaliMonthName(m.month, lang)} ${m.year}`;
  return lang === 'fa' ? toPersianDigits(text) : text;
};

/** Change in percent from `before` to `now` (null when there was nothing before). */
const change = (now: number, before: number): number | null => (before === 0 ? null : Math.round(((now - before) / before) * 100));

/** Bars of a small chart, one per month: heights in a 0–40 box, drawn as inline SVG (no script). */
function chart(series: TrendReport['topics'][number]['series'], lang: Lang) {
  const max = Math.max(1, ...series.map((s) => s.places));
  return series.map((s, i) => {
    const height = Math.round((s.places / max) * 36);
    const [year, month] = s.month.split('-').map(Number);
    return { x: i * 10, y: 40 - height, height, places: s.places, label: monthLabel({ year: year!, month: month! }, lang) };
  });
}

export interface TrendPage {
  area: { code: string; name: string };
  report: TrendReport;
}

/** The figures of one area, ready for the page and the API. */
export async function trendFor(req: Request, query: { place?: string; month?: string }): Promise<TrendPage & { links: Map<string, Addressing[]>; names: Map<string, string> }> {
  const user = req.user!;
  const area = await assertInScope(problemArea(user), query.place ?? problemArea(user).placeCode);
  const month = query.month ? (parseJalaliMonthKey(query.month) ?? undefined) : undefined;
  const report = await topicTrends(user, { place: area.code, ...(month ? { month } : {}) });
  const [links, names] = await Promise.all([addressing(user, report.topics.map((r) => r.topic)), topicNames(user, req.lang)]);
  return { area: { code: area.code, name: area.name }, report, links, names };
}

export async function trends(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, v.trendPageQuery);
  const user = req.user!;
  const chosen = await placeFilter(problemArea(user), ANY_LEVEL, query.place, query.placePick);
  const { area, report, links, names } = await trendFor(req, { place: chosen.code, month: query.month });
  const lang = req.lang;
  const counties = PROVINCE_WIDE_ROLES.includes(user.role) && area.code.length === 2
    ? (await Place.find({ level: 'county', parent: area.code }).setOptions({ scope: user }).lean<PlaceRecord[]>()).sort((a, b) => comparePersian(a.name, b.name))
    : [];
  const countyRows = await Promise.all(
    counties.map(async (c) => {
      const r = await topicTrends(user, { place: c.code, month: report.month });
      const top = r.topics[0];
      return { code: c.code, name: c.name, quarter: r.total.quarter, lastYear: r.total.lastYear, change: change(r.total.quarter.reports, r.total.lastYear.reports), topTopic: top && top.quarter.reports ? (names.get(top.topic) ?? top.topic) : '' };
    }),
  );
  const row = (f: { quarter: Figures; lastYear: Figures; month: Figures; previousMonth: Figures }) => ({ ...f, quarterChange: change(f.quarter.places, f.lastYear.places), monthChange: change(f.month.places, f.previousMonth.places) });
  res.render('field-problems/trends', {
    title: t(lang, 'fieldProblems.trends'),
    area,
    placePicker: chosen.picker,
    quarter: t(lang, 'fieldProblems.quarterName', { quarter: report.quarter.quarter, year: report.quarter.year }),
    lastYearQuarter: t(lang, 'fieldProblems.quarterName', { quarter: report.quarter.quarter, year: report.quarter.year - 1 }),
    through: monthLabel(report.month, lang),
    month: monthLabel(report.month, lang),
    previousMonth: monthLabel(report.previousMonth, lang),
    total: row(report.total),
    topics: report.topics.map((topic) => ({ ...row(topic), code: topic.topic, name: names.get(topic.topic) ?? topic.topic, bars: chart(topic.series, lang), links: links.get(topic.topic) ?? [] })),
    counties: countyRows.filter((c) => c.quarter.reports || c.lastYear.reports),
  });
}

// ── API ──

export async function listJson(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, v.problemListQuery);
  if (query.place) await assertInScope(problemArea(req.user!), query.place);
  res.json({ problems: await listThreads(req.user!, query) });
}

export async function createJson(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.problemForm);
  const problem = await reportProblem(req.user!, { ...body, ...uploaded(req) });
  res.status(201).json({ id: String(problem._id) });
}

export async function showJson(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const thread = await getThread(req.user!, params.id);
  const reports = await threadReports(req.user!, thread);
  res.json({
    id: String(thread._id),
    topic: thread.topic,
    ...(thread.otherText ? { otherText: thread.otherText } : {}),
    ...(thread.description ? { description: thread.description } : {}),
    places: reports.length,
    people: reports.reduce((sum, r) => sum + r.affected, 0),
    reports: reports.map((r) => ({ id: String(r._id), place: r.placeCode, by: r.by, affected: r.affected, reportedAt: r.reportedAt, first: r.first, ...(r.description ? { description: r.description } : {}) })),
  });
}

export async function secondJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.sameHereForm);
  const report = await sameHere(req.user!, params.id, body);
  res.status(201).json({ id: String(report._id) });
}

export async function topicsJson(req: Request, res: Response): Promise<void> {
  res.json({ topics: await listTopics(req.user!, req.lang, { includeRetired: true }) });
}

export async function createTopicJson(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.topicForm);
  const topic = await addTopic(req.user!, body);
  res.status(201).json({ code: topic.code });
}

export async function trendsJson(req: Request, res: Response): Promise<void> {
  const { area, report, links } = await trendFor(req, validated(req, v.trendQuery).query);
  res.json({ place: area.code, ...report, topics: report.topics.map((topic) => ({ ...topic, addressedBy: links.get(topic.topic) ?? [] })) });
}
