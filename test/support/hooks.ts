import { configureLogger } from '../../server/logger.js';
import { startTestDatabase, stopTestDatabase } from './database.js';
import { runTestsAsFixtureActor } from './audit.js';

/** Mocha root hooks (loaded by .mocharc.json): one database for the whole run, a quiet logger. */
runTestsAsFixtureActor();

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    configureLogger(process.env.LOG_LEVEL ?? 'silent');
    await startTestDatabase();
  },
  async afterAll() {
    await stopTestDatabase();
  },
};
