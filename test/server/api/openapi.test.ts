import { expect } from 'chai';
import type { Router } from 'express';
import { loadConfig } from '../../../server/config.js';
import { domains } from '../../../server/routes.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api } from '../../support/http.js';

/** method + path of every API route the domains mount, in Express syntax (`/campaigns/:id`). */
function mountedApiRoutes(): Set<string> {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:' });
  const routes = new Set<string>();
  for (const domain of domains) {
    const router = domain(config).api as (Router & { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }) | undefined;
    for (const layer of router?.stack ?? []) {
      if (!layer.route) continue;
      for (const method of Object.keys(layer.route.methods)) routes.add(`${method} ${layer.route.path}`);
    }
  }
  return routes;
}

describe('The OpenAPI document', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  it('is served without a token as OpenAPI 3.1 with bearer security', async () => {
    const response = await api(app.baseUrl).get('/api/v1/openapi.json');
    expect(response.status).to.equal(200);
    expect(response.body.openapi).to.equal('3.1.0');
    expect(response.body.components.securitySchemes.bearer).to.deep.equal({ type: 'http', scheme: 'bearer' });
  });

  it('documents the skeleton’s, the campaign and quota, and the enrolment endpoints', async () => {
    const { body } = await api(app.baseUrl).get('/api/v1/openapi.json');
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    expect(documented).to.include.members([
      'post /auth/token',
      'get /me',
      'get /places',
      'get /places/{code}',
      'post /campaigns',
      'post /campaigns/{id}/allocations',
      'put /campaigns/{id}/quotas/{placeCode}',
      'get /campaigns/{id}/progress',
      'post /enrolments',
      'get /openapi.json',
    ]);
  });

  it('documents only endpoints that exist', async () => {
    const { body } = await api(app.baseUrl).get('/api/v1/openapi.json');
    const mounted = mountedApiRoutes();
    for (const [path, methods] of Object.entries(body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) {
        // path parameter names may differ between the document and the router; their positions may not
        const express = path.replace(/\{[^}]+\}/g, ':p');
        const found = [...mounted].some((route) => route.replace(/:[A-Za-z]+/g, ':p') === `${method} ${express}`);
        expect(found, `${method} ${path}`).to.equal(true);
      }
    }
  });

  it('describes the request body of a quota change and the error shape', async () => {
    const { body } = await api(app.baseUrl).get('/api/v1/openapi.json');
    const put = body.paths['/campaigns/{id}/quotas/{placeCode}'].put;
    expect(put.requestBody.content['application/json'].schema.required).to.deep.equal(['target']);
    expect(put.responses['403'].content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/Error' });
    expect(body.components.schemas.Error.properties.error.required).to.deep.equal(['code', 'message']);
  });
});
