import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as h from './handlers.js';
import * as v from './validation.js';

export default function agreementRoutes(_config: Config): DomainRoutes {
  const web = Router();
  web.get('/agreements', requireAuth, h.list);
  web.post('/agreements', requireRole('governor-office'), validate(v.agreementForm), h.create);
  web.get('/agreements/:id', requireAuth, validate(v.agreementPage), h.show);
  web.post('/agreements/:id/volunteers', requireRole('governor-office'), validate(v.volunteersForm), h.volunteers);
  web.post('/agreements/:id/clauses', requireRole('governor-office'), validate(v.clauseForm), h.clause);
  web.post('/agreements/:id/proposals', requireAuth, validate(v.proposalForm), h.propose);
  web.post('/proposals/:id/decision', requireRole('governor-office'), validate(v.decisionForm), h.decide);
  web.get('/policy-axes', requireAuth, h.axes);
  web.post('/policy-axes', requireRole('governor-office'), validate(v.axisForm), h.createAxis);
  web.get('/policy-axes/:code', requireAuth, validate(v.axisParams), h.axis);

  const json = Router();
  json.get('/agreements', requireAuth, h.listJson);
  json.post('/agreements', requireRole('governor-office'), validate(v.agreementApi), h.createJson);
  json.get('/agreements/:id', requireAuth, validate(v.idParams), h.showJson);
  json.put('/agreements/:id/volunteers', requireRole('governor-office'), validate(v.volunteersForm), h.volunteersJson);
  json.post('/agreements/:id/clauses', requireRole('governor-office'), validate(v.clauseApi), h.clauseJson);
  json.post('/agreements/:id/proposals', requireAuth, validate(v.proposalApi), h.proposeJson);
  json.post('/proposals/:id/decision', requireRole('governor-office'), validate(v.decisionForm), h.decideJson);
  json.get('/policy-axes', requireAuth, h.axesJson);
  json.post('/policy-axes', requireRole('governor-office'), validate(v.axisForm), h.createAxisJson);
  json.get('/policy-axes/:code', requireAuth, validate(v.axisParams), h.axisJson);

  return { pages: web, api: json };
}
