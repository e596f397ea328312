import type { Request, Response } from 'express';
import { validated } from '../http/validate.js';
import { toJalali } from '../shared/jalali.js';
import { listAgencies } from './agencies.service.js';
import { createCommittee, listCommittees } from './committees.service.js';
import { complianceGrid } from './compliance.service.js';
import type { MailSettings } from './invitations.js';
import { scheduleMeeting } from './meetings.service.js';
import { addResolution, listResolutions } from './resolutions.service.js';
import { postUpdate } from './updates.service.js';
import { committeeListQuery, complianceQuery, createCommitteeApi, resolutionApi, resolutionListQuery, scheduleApi, updateApi } from './validation.js';
import { assertInScope } from '../auth/scope.js';

export async function agencies(req: Request, res: Response): Promise<void> {
  res.json({ agencies: await listAgencies(req.user!.province, req.lang) });
}

export async function committees(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, committeeListQuery);
  const list = await listCommittees(req.user!, query);
  res.json(list.map(({ id, kind, name, place, meetsMonthly }) => ({ id, kind, name, place, meetsMonthly })));
}

export async function createCommitteeJson(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, createCommitteeApi);
  const committee = await createCommittee(req.user!, body);
  res.status(201).json({ id: String(committee._id) });
}

export function scheduleMeetingJson(mail: MailSettings) {
  return async (req: Request, res: Response): Promise<void> => {
    const { params, body } = validated(req, scheduleApi);
    const meeting = await scheduleMeeting(req.user!, params.id, body, mail);
    res.status(201).json({ id: String(meeting._id) });
  };
}

export async function addResolutionJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, resolutionApi);
  const resolution = await addResolution(req.user!, params.id, body);
  res.status(201).json({ id: String(resolution._id), number: resolution.number });
}

export async function postUpdateJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, updateApi);
  const update = await postUpdate(req.user!, params.id, body);
  res.status(201).json({ id: String(update._id) });
}

export async function resolutions(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, resolutionListQuery);
  const list = await listResolutions(req.user!, { ...query, dueThisMonth: query.due === 'this-month' });
  res.json({ resolutions: list.map(({ placePath: _placePath, ...view }) => view) });
}

export async function compliance(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, complianceQuery);
  const place = await assertInScope(req.user!, query.place ?? req.user!.placeCode);
  const grid = await complianceGrid({ place: place.code, year: query.year ?? toJalali(new Date()).year, scope: req.user! });
  res.json({
    year: grid.year,
    place: grid.place,
    committees: grid.committees.map((c) => ({ id: c.id, name: c.name, place: c.place, months: c.months.map(({ month, state }) => ({ month, state })) })),
  });
}
