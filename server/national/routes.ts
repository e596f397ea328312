import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as national from './handlers.js';
import { countryQuery, provinceQuery, rollupParams, withdrawalForm, withdrawalRequest } from './validation.js';

/** The fund's central office: the country month by month; its home (`GET /`, passed on by server/home/handlers.ts) is the country. */
export default function nationalRoutes(config: Config): DomainRoutes {
  const office = requireRole('national-office');
  const pages = Router();
  pages.get('/', office, validate(countryQuery), national.home);
  pages.get('/national/months', office, national.months);
  pages.get('/national/provinces/:province', office, validate(provinceQuery), national.provincePage);
  pages.post('/national/provinces/:province/withdraw', office, validate(withdrawalForm), national.withdraw(config));
  pages.get('/national/rollup/:month/rollup.:format', office, validate(rollupParams), national.rollup);
  const api = Router();
  api.get('/national', office, validate(countryQuery), national.countryJson);
  api.post('/national/withdraw', office, validate(withdrawalRequest), national.withdrawJson(config));
  return { pages, api };
}
