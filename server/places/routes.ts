import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';
import { requireAuth } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as places from './handlers.js';
import { placeList, placeParams, placeSearch, placeSuggest } from './validation.js';

export default function placeRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/places', requireAuth, validate(placeSearch), places.searchPage);
  pages.get('/places/suggest', requireAuth, validate(placeSuggest), places.suggestJson);
  pages.get('/places/:code', requireAuth, validate(placeParams), places.showPlace);

  const api = Router();
  api.get('/places', requireAuth, validate(placeList), places.listJson);
  api.get('/places/:code', requireAuth, validate(placeParams), places.placeJson);

  return { pages, api };
}
