import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';

export interface TestApp {
  baseUrl: string;
  config: Config;
  stop(): Promise<void>;
}

/**
 * The real application on an ephemeral port of 127.0.0.1, on the test run's database. `env` overrides settings
 * by their environment names, e.g. `startTestApp({ LOGIN_RATE_LIMIT: '3' })`.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', PORT: '0', ...env });
  const app = createApp({ config, sessionSecret: 'test-session-secret-of-enough-length' });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
