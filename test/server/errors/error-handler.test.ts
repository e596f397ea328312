import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Express } from 'express';
import { createApp } from '../../../server/app.js';
import { loadConfig } from '../../../server/config.js';

/**
 * The application with one route that fails the way a bug would (an unexpected exception), put first so the real
 * pipeline and the one error handler answer it. `env` is the environment the application starts with.
 */
async function appWithAFault(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const app: Express = createApp({ config: loadConfig({ DATA_DIR: ':memory:', LOG_LEVEL: 'silent', ...env }), sessionSecret: 'test-session-secret-of-enough-length' });
  app.get('/fault', () => {
    throw new Error('a bug with a secret in its stack: mongodb://user:hunter2@db');
  });
  const stack = (app as unknown as { router: { stack: unknown[] } }).router.stack;
  stack.unshift(stack.pop()!);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise((done) => server.close(() => done())) };
}

describe('The error page', () => {
  it('with no settings at all (as `npm start` runs) shows the plain error page, no stack trace', async () => {
    const app = await appWithAFault({});
    try {
      const page = await fetch(`${app.url}/fault`);
      expect(page.status).to.equal(500);
      const html = await page.text();
      expect(page.headers.get('content-type')).to.contain('text/html');
      expect(html).to.not.contain('hunter2').and.not.contain('error-handler.test.ts').and.not.contain('<pre');
    } finally {
      await app.stop();
    }
  });

  it('shows the stack trace only when NODE_ENV=development is set explicitly', async () => {
    for (const [env, shown] of [[{ NODE_ENV: 'production' }, false], [{ NODE_ENV: 'test' }, false], [{ NODE_ENV: 'development' }, true]] as const) {
      const app = await appWithAFault(env);
      try {
        const html = await (await fetch(`${app.url}/fault`)).text();
        expect(html.includes('error-handler.test.ts'), JSON.stringify(env)).to.equal(shown);
      } finally {
        await app.stop();
      }
    }
  });
});
