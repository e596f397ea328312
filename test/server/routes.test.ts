import { expect } from 'chai';
import type { Router } from 'express';
import { loadConfig } from '../../server/config.js';
import { apiDomains, domains } from '../../server/routes.js';

/** A router's layers as Express keeps them: a route (with its path) or a middleware (no route). */
type Layer = { route?: { path: string } };

/** The first segment of each of a router's paths, and whether it also has middleware, which every path would pass. */
function firstSegments(router: Router): { segments: Set<string>; middleware: number } {
  const layers = (router as unknown as { stack: Layer[] }).stack;
  const segments = new Set(layers.filter((layer) => layer.route).map((layer) => layer.route!.path.split('/')[1]));
  return { segments, middleware: layers.filter((layer) => !layer.route).length };
}

describe('The order the API tries the domains’ routers in', () => {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', PORT: '0' });
  const apiOf = (domain: (typeof domains)[number]) => domain(config).api;

  it('tries every domain once, and all but the first in the order they are listed', () => {
    expect(apiDomains).to.have.members(domains);
    expect(apiDomains).to.have.length(domains.length);
    expect(apiDomains.slice(1)).to.deep.equal(domains.filter((domain) => domain !== apiDomains[0]));
  });

  // Moving one domain ahead of the others changes no answer only while none of the others' routers could answer its
  // paths: no shared first segment, no parameter there, and no middleware that every path would pass.
  it('moves ahead a domain whose API paths begin with segments of its own, so no answer changes', () => {
    const first = firstSegments(apiOf(apiDomains[0])!);
    expect(first.middleware).to.equal(0);
    expect([...first.segments]).to.include('enrolments');
    for (const segment of first.segments) expect(segment).to.match(/^[a-z][a-z0-9.-]*$/);
    for (const domain of apiDomains.slice(1)) {
      const router = apiOf(domain);
      if (!router) continue;
      const { segments, middleware } = firstSegments(router);
      expect(middleware, `middleware in the API router of ${domain.name}`).to.equal(0);
      for (const segment of segments) {
        expect(first.segments.has(segment), `/${segment} in the API routers of ${apiDomains[0].name} and ${domain.name}`).to.equal(false);
        expect(segment, `a parameter first in the API router of ${domain.name}`).to.match(/^[a-z][a-z0-9.-]*$/);
      }
    }
  });
});
