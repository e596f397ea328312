import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { openApiDocument } from './openapi.js';

export default function apiDocumentRoutes(config: Config): DomainRoutes {
  const document = openApiDocument(config.publicUrl);
  const api = Router();
  api.get('/openapi.json', (_req, res) => res.json(document));
  return { api };
}
