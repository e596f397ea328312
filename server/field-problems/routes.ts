import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { attachmentUpload } from '../committees/page-handlers.js';
import { validate } from '../http/validate.js';
import * as h from './handlers.js';
import * as v from './validation.js';

export default function fieldProblemRoutes(_config: Config): DomainRoutes {
  const web = Router();
  web.get('/field-problems', requireAuth, validate(v.problemListPageQuery), h.list);
  web.post('/field-problems', requireAuth, attachmentUpload, validate(v.problemForm), h.create);
  web.get('/field-problems/trends', requireAuth, validate(v.trendPageQuery), h.trends);
  web.get('/field-problems/topics', requireAuth, h.topicList);
  web.post('/field-problems/topics', requireRole('governor-office'), validate(v.topicForm), h.createTopic);
  web.get('/field-problems/:id', requireAuth, validate(v.idParams), h.show);
  web.post('/field-problems/:id/same', requireAuth, validate(v.sameHereForm), h.second);
  web.get('/field-problems/:id/attachment', requireAuth, validate(v.idParams), h.attachment);

  const json = Router();
  json.get('/field-problems', requireAuth, validate(v.problemListQuery), h.listJson);
  json.post('/field-problems', requireAuth, attachmentUpload, validate(v.problemForm), h.createJson);
  json.get('/field-problems/topics', requireAuth, h.topicsJson);
  json.post('/field-problems/topics', requireRole('governor-office'), validate(v.topicForm), h.createTopicJson);
  json.get('/field-problems/trends', requireAuth, validate(v.trendQuery), h.trendsJson);
  json.get('/field-problems/:id', requireAuth, validate(v.idParams), h.showJson);
  json.post('/field-problems/:id/same', requireAuth, validate(v.sameHereForm), h.secondJson);

  return { pages: web, api: json };
}
