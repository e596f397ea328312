import type { Request, Response } from 'express';
import type { AgreementRecord } from '../../models/agreement.model.js';
import { agencyNames, listAgencies } from '../committees/agencies.service.js';
import { listCommittees, placeNames } from '../committees/committees.service.js';
import { toResolutionView } from '../committees/resolutions.service.js';
import { listThreads } from '../field-problems/problems.service.js';
import { listTopics, topicNames } from '../field-problems/topics.service.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { t, type Lang } from '../i18n/index.js';
import type { AuthUser } from '../auth/scope.js';
import { formatJalaliForDisplay, fromJalali } from '../shared/jalali.js';
import { toPersianDigits } from '../shared/persian-text.js';
import { addClause, clauseCommitments, createAgreement, getAgreement, isVolunteer, listAgreements, ownsAgreement, setVolunteers, workingGroupOf } from './agreements.service.js';
import { addAxis, axisCommitments, listAxes } from './axes.service.js';
import { clauseEffects } from './effect.service.js';
import { decideProposal, proposalsOf, proposeClause } from './proposals.service.js';
import * as v from './validation.js';

const quarterLabel = (key: string, lang: Lang) => {
  const [year, q] = key.split('-Q');
  return t(lang, 'fieldProblems.quarterName', { quarter: Number(q), year: Number(year) });
};

/** Everything the agreement page and the API show: clauses with their commitments' state, proposals, the effect. */
async function agreementDetail(user: AuthUser, agreement: AgreementRecord, lang: Lang) {
  const now = new Date();
  const [commitments, proposals, effects, group, names, agencies] = await Promise.all([
    clauseCommitments(user, agreement),
    proposalsOf(user, agreement._id),
    clauseEffects(user, agreement, now),
    workingGroupOf(agreement),
    topicNames(user, lang),
    agencyNames(user.province, lang),
  ]);
  const places = await placeNames(proposals.flatMap((p) => p.raisedBy.map((r) => r.placeCode)));
  return {
    clauses: agreement.clauses.map((c) => {
      const record = commitments.get(c.number);
      const view = record ? toResolutionView(record, now) : null;
      return {
        number: c.number,
        text: c.text,
        reason: c.reason,
        illustrative: Boolean(c.illustrative),
        addedAt: c.addedAt,
        addedBy: c.addedBy,
        topics: c.topics.map((code) => ({ code, name: names.get(code) ?? code })),
        commitment: String(c.commitment),
        ...(view ? { agency: view.agency, agencyName: agencies.get(view.agency) ?? view.agency, state: view.state, nextDue: view.nextDue, deadline: view.deadline, progress: view.progress, policyAxis: view.policyAxis } : {}),
      };
    }),
    proposals: proposals.map((p) => ({
      id: String(p._id),
      text: p.text,
      state: p.state,
      agency: p.agency,
      agencyName: agencies.get(p.agency) ?? p.agency,
      deadline: p.deadline,
      topics: p.topics.map((code) => ({ code, name: names.get(code) ?? code })),
      problems: p.problems.map(String),
      raisedBy: p.raisedBy.map((r) => ({ ...r, placeName: places.get(r.placeCode) ?? r.placeCode })),
      proposedBy: p.proposedBy,
      proposedAt: p.proposedAt,
      ...(p.decision?.at ? { decision: p.decision } : {}),
      ...(p.clauseNumber ? { clauseNumber: p.clauseNumber } : {}),
      illustrative: Boolean(p.illustrative),
    })),
    effects: effects.map((e) => ({ ...e, topicName: names.get(e.topic) ?? e.topic })),
    volunteers: (group?.members ?? []).map((m) => ({ name: m.name, town: m.title, username: m.username })),
    workingGroup: group ? String(group._id) : null,
  };
}

export async function list(req: Request, res: Response): Promise<void> {
  const agreements = await listAgreements(req.user!);
  res.render('agreements/index', {
    title: t(req.lang, 'agreements.title'),
    agreements: agreements.map((a) => ({ id: String(a._id), title: a.title, parties: a.parties, signedOn: formatJalaliForDisplay(fromJalali(a.signedOn), req.lang), clauses: a.clauses.length, illustrative: a.illustrative, level: a.level })),
    mayCreate: req.user!.role === 'governor-office',
  });
}

export async function create(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.agreementForm);
  const agreement = await createAgreement(req.user!, body);
  setFlash(req, { type: 'success', key: 'agreements.created' });
  res.redirect(303, `/agreements/${String(agreement._id)}`);
}

export async function show(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, v.agreementPage);
  const user = req.user!;
  const lang = req.lang;
  const agreement = await getAgreement(user, params.id);
  const owner = ownsAgreement(user, agreement);
  const mayPropose = owner || (await isVolunteer(user, agreement));
  const detail = await agreementDetail(user, agreement, lang);
  const [agencies, topics, axes, top] = await Promise.all([listAgencies(user.province, lang), listTopics(user, lang), listAxes(user), mayPropose ? listThreads(user) : Promise.resolve([])]);
  // the problem the page was opened from comes first, ticked; then the most widely reported ones
  const problems = [...top.filter((p) => p.id === query.problem), ...top.filter((p) => p.id !== query.problem).slice(0, 10)];
  const problemPlaces = await placeNames(problems.map((p) => p.placeCode));
  const names = new Map(topics.map((x) => [x.code, x.name]));
  const when = (d: Date) => formatJalaliForDisplay(d, lang);
  const day = (d: { year: number; month: number; day: number } | null | undefined) => (d ? formatJalaliForDisplay(fromJalali(d), lang) : '');
  res.render('agreements/show', {
    title: agreement.title,
    agreement: { ...agreement, id: String(agreement._id), signedOn: day(agreement.signedOn) },
    ...detail,
    clauses: detail.clauses.map((c) => ({ ...c, addedAt: when(c.addedAt), nextDue: day(c.nextDue) })),
    proposals: detail.proposals.map((p) => ({ ...p, proposedAt: when(p.proposedAt), decidedAt: p.decision?.at ? when(p.decision.at) : '', waiting: p.state === 'proposed', deadlineText: deadlineText(p.deadline, lang) })),
    effects: detail.effects.map((e) => ({ ...e, adoptedAt: when(e.adoptedAt), quarters: e.quarters.map((q) => ({ ...q, label: quarterLabel(q.quarter, lang), adoption: q.relative === 0 })) })),
    owner,
    mayPropose,
    waitingCount: detail.proposals.filter((p) => p.state === 'proposed').length,
    agencies,
    topics,
    axes,
    problems: problems.map((p) => ({ ...p, chosen: p.id === query.problem, topicName: names.get(p.topic) ?? p.topic, placeName: problemPlaces.get(p.placeCode) ?? p.placeCode })),
    history: agreement.history.map((h) => ({ ...h, when: formatJalaliForDisplay(h.at, lang, { withTime: true }) })),
  });
}

function deadlineText(d: { type: string; date?: { year: number; month: number; day: number }; months?: number; days?: number; until?: unknown }, lang: Lang): string {
  if (d.type === 'date' && d.date) return t(lang, 'committees.deadline.onDate', { date: formatJalaliForDisplay(fromJalali(d.date), lang) });
  if (d.type === 'within') return t(lang, 'agreements.withinText', { months: d.months ?? 0, days: d.days ?? 0 });
  return t(lang, 'committees.deadline.monthly');
}

export async function volunteers(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.volunteersForm);
  await setVolunteers(req.user!, params.id, body.volunteers);
  setFlash(req, { type: 'success', key: 'agreements.volunteersSaved' });
  res.redirect(303, `/agreements/${params.id}`);
}

export async function clause(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.clauseForm);
  const { number } = await addClause(req.user!, params.id, body);
  setFlash(req, { type: 'success', key: 'agreements.clauseAdded', params: { number: toPersianDigits(number) } });
  res.redirect(303, `/agreements/${params.id}#clause-${number}`);
}

export async function propose(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.proposalForm);
  await proposeClause(req.user!, params.id, body);
  setFlash(req, { type: 'success', key: 'agreements.proposed' });
  res.redirect(303, `/agreements/${params.id}`);
}

export async function decide(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.decisionForm);
  const decided = await decideProposal(req.user!, params.id, body);
  setFlash(req, { type: 'success', key: decided.state === 'adopted' ? 'agreements.adopted' : 'agreements.declined', params: { number: toPersianDigits(decided.clauseNumber ?? 0) } });
  res.redirect(303, `/agreements/${String(decided.agreement)}`);
}

// ── policy axes ──

export async function axes(req: Request, res: Response): Promise<void> {
  const user = req.user!;
  const [list, secretariats] = await Promise.all([listAxes(user), user.role === 'governor-office' ? listCommittees(user, { kind: 'secretariat' }) : Promise.resolve([])]);
  const pages = await Promise.all(list.map((a) => axisCommitments(user, a.code)));
  res.render('agreements/axes', {
    title: t(req.lang, 'agreements.axes'),
    axes: pages.map((p) => ({ code: p.axis.code, number: p.axis.number, name: p.axis.name, illustrative: p.axis.illustrative, count: p.commitments.length, overdue: p.overdue })),
    secretariats,
    mayEdit: user.role === 'governor-office',
  });
}

export async function createAxis(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.axisForm);
  await addAxis(req.user!, body);
  setFlash(req, { type: 'success', key: 'agreements.axisAdded' });
  res.redirect(303, '/policy-axes');
}

export async function axis(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.axisParams);
  const page = await axisCommitments(req.user!, params.code);
  const names = await agencyNames(req.user!.province, req.lang);
  const day = (d: { year: number; month: number; day: number } | null) => (d ? formatJalaliForDisplay(fromJalali(d), req.lang) : '');
  res.render('agreements/axis', {
    title: page.axis.name,
    axis: page.axis,
    overdue: page.overdue,
    byState: Object.entries(page.byState).map(([state, count]) => ({ state, count })),
    commitments: page.commitments.map((c) => ({ ...c, agencyName: names.get(c.agency) ?? c.agency, nextDue: day(c.nextDue) })),
  });
}

// ── API ──

export async function listJson(req: Request, res: Response): Promise<void> {
  const agreements = await listAgreements(req.user!);
  res.json({ agreements: agreements.map((a) => ({ id: String(a._id), title: a.title, parties: a.parties, signedOn: a.signedOn, level: a.level, clauses: a.clauses.length, ...(a.illustrative ? { illustrative: true } : {}) })) });
}

export async function createJson(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.agreementApi);
  const agreement = await createAgreement(req.user!, body);
  res.status(201).json({ id: String(agreement._id), workingGroup: String(agreement.workingGroup) });
}

export async function showJson(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.idParams);
  const agreement = await getAgreement(req.user!, params.id);
  const detail = await agreementDetail(req.user!, agreement, req.lang);
  res.json({ id: String(agreement._id), title: agreement.title, parties: agreement.parties, signedOn: agreement.signedOn, level: agreement.level, groupSize: agreement.groupSize, smallTownThreshold: agreement.smallTownThreshold, ...(agreement.illustrative ? { illustrative: true } : {}), ...detail });
}

export async function volunteersJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.volunteersForm);
  const group = await setVolunteers(req.user!, params.id, body.volunteers);
  res.json({ workingGroup: String(group._id), volunteers: group.members.map((m) => m.username) });
}

export async function clauseJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.clauseApi);
  const { number, commitment } = await addClause(req.user!, params.id, body);
  res.status(201).json({ number, commitment: String(commitment._id) });
}

export async function proposeJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.proposalApi);
  const proposal = await proposeClause(req.user!, params.id, body);
  res.status(201).json({ id: String(proposal._id), topics: proposal.topics, raisedBy: proposal.raisedBy.map((r) => r.username) });
}

export async function decideJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, v.decisionForm);
  const decided = await decideProposal(req.user!, params.id, body);
  const agreement = await getAgreement(req.user!, decided.agreement);
  const clause = agreement.clauses.find((c) => c.number === decided.clauseNumber);
  res.json({ id: String(decided._id), state: decided.state, ...(clause ? { clause: clause.number, commitment: String(clause.commitment) } : {}) });
}

export async function axesJson(req: Request, res: Response): Promise<void> {
  res.json({ axes: (await listAxes(req.user!)).map((a) => ({ code: a.code, number: a.number, name: a.name, ...(a.illustrative ? { illustrative: true } : {}) })) });
}

export async function createAxisJson(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, v.axisForm);
  const axis = await addAxis(req.user!, body);
  res.status(201).json({ code: axis.code, number: axis.number });
}

export async function axisJson(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, v.axisParams);
  const page = await axisCommitments(req.user!, params.code);
  res.json({ code: page.axis.code, name: page.axis.name, overdue: page.overdue, byState: page.byState, commitments: page.commitments.map(({ placePath: _p, ...c }) => c) });
}
