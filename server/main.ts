import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { ensureAgencyRegister } from './committees/agencies.service.js';
import { migrateFreeTextAxes } from './agreements/axes.service.js';
import { loadAgreementDemo } from './agreements/demo.js';
import { loadCommitteeReferenceData } from './committees/reference-data.js';
import { resolveSessionSecret } from './auth/session.js';
import { ConfigError, loadConfig } from './config.js';
import { connectDatabase } from './db/connect.js';
import { runMigrations } from './db/migrate.js';
import { configureLogger, logger } from './logger.js';
import { loadPlacesIfEmpty } from './places/seed.js';
import { createDemoEnrolments } from './enrolments/demo.js';
import { createDemoApprovals } from './national/demo.js';
import { createDemoUsers, wantsDemoUsers } from './users/demo.js';
import { startBackgroundWork } from '../jobs/scheduler.js';
import { runAs } from './audit/context.js';

/** Start-up: configuration → database and its migrations → places and demo accounts on an empty database → listen. */
async function main(): Promise<void> {
  const config = loadConfig();
  configureLogger(config.logLevel);
  const database = await connectDatabase(config);
  // the seeds and demo data are written by the start-up, and the audit trail says so
  await runAs({ kind: 'system', name: 'start-up' }, async () => {
    await runMigrations();
    await loadPlacesIfEmpty();
    await ensureAgencyRegister();
    await migrateFreeTextAxes();
    if (wantsDemoUsers(config)) {
      await createDemoUsers();
      await createDemoEnrolments(config);
      await createDemoApprovals(config);
      await loadCommitteeReferenceData();
      await loadAgreementDemo();
    }
  });

  const app = createApp({ config, sessionSecret: resolveSessionSecret(config) });
  const server: Server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}` }, 'listening');
  });
  const background = startBackgroundWork(config);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    server.closeAllConnections();
    await background.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled rejection');
  process.exit(1);
});

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    // a wrong setting is the operator's to fix: say which, without a stack trace
    console.error(err.message);
    process.exit(78);
  }
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
});
