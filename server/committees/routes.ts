import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { ANY_LEVEL, placeByName } from '../places/place-picker.js';
import * as api from './api-handlers.js';
import { mailSettings } from './invitations.js';
import * as pages from './page-handlers.js';
import * as v from './validation.js';

export default function committeeRoutes(config: Config): DomainRoutes {
  const mail = mailSettings(config);
  const web = Router();
  web.get('/committees', requireAuth, validate(v.committeeListQuery), pages.committeeList);
  web.post('/committees', requireRole('governor-office', 'county-governor'), placeByName('place', ANY_LEVEL), validate(v.createCommitteeForm), pages.createCommittee);
  web.get('/committees/compliance', requireAuth, validate(v.compliancePageQuery), pages.compliance);
  web.get('/committees/:id', requireAuth, validate(v.idParams), pages.committee);
  web.post('/committees/:id/meetings', requireAuth, validate(v.scheduleForm), pages.scheduleMeeting(mail));
  web.post('/committees/:id/meetings/held', requireAuth, validate(v.pastMeetingForm), pages.recordPastMeeting);
  web.get('/meetings/:id', requireAuth, validate(v.idParams), pages.meeting);
  web.get('/meetings/:id/calendar.ics', requireAuth, validate(v.idParams), pages.calendarFile(mail));
  web.post('/meetings/:id/reschedule', requireAuth, validate(v.scheduleForm), pages.rescheduleMeeting(mail));
  web.post('/meetings/:id/cancel', requireAuth, validate(v.cancelForm), pages.cancelMeeting(mail));
  web.post('/meetings/:id/held', requireAuth, validate(v.heldForm), pages.recordHeld);
  web.post('/meetings/:id/minutes', requireAuth, validate(v.minutesForm), pages.saveMinutes);
  web.post('/meetings/:id/minutes/approve', requireAuth, validate(v.idParams), pages.approveMinutes);
  web.post('/meetings/:id/resolutions', requireAuth, validate(v.resolutionForm), pages.addResolution);
  web.get('/resolutions', requireAuth, validate(v.resolutionListQuery), pages.tracker);
  web.get('/resolutions/:id', requireAuth, validate(v.idParams), pages.resolution);
  web.post('/resolutions/:id/updates', requireAuth, pages.attachmentUpload, validate(v.updateForm), pages.postUpdate);
  web.get('/updates/:id/attachment', requireAuth, validate(v.idParams), pages.attachment);
  web.get('/agencies', requireAuth, pages.agencyList);
  web.post('/agencies', requireRole('governor-office'), validate(v.agencyForm), pages.addAgency);
  web.get('/agencies/:code', requireAuth, validate(v.agencyParams), pages.agency);
  web.post('/agencies/:code', requireRole('governor-office'), validate(v.agencyChangeForm), pages.changeAgency);
  web.get('/overview', requireRole('governor-office', 'fund-manager'), pages.overview);

  const json = Router();
  json.get('/agencies', requireAuth, api.agencies);
  json.get('/committees', requireAuth, validate(v.committeeListQuery), api.committees);
  json.post('/committees', requireAuth, validate(v.createCommitteeApi), api.createCommitteeJson);
  json.get('/committees/compliance', requireAuth, validate(v.complianceQuery), api.compliance);
  json.post('/committees/:id/meetings', requireAuth, validate(v.scheduleApi), api.scheduleMeetingJson(mail));
  json.post('/meetings/:id/resolutions', requireAuth, validate(v.resolutionApi), api.addResolutionJson);
  json.get('/resolutions', requireAuth, validate(v.resolutionListQuery), api.resolutions);
  json.post('/resolutions/:id/updates', requireAuth, validate(v.updateApi), api.postUpdateJson);

  return { pages: web, api: json };
}
