import { loadConfig } from '../config.js';
import { configureLogger } from '../logger.js';
import { connectDatabase } from './connect.js';
import { runMigrations } from './migrate.js';

/** `npm run migrate`: the start-up migrations alone, against the configured database. */
const config = loadConfig();
configureLogger(config.logLevel);
const database = await connectDatabase(config);
try {
  await runMigrations();
} finally {
  await database.close();
}
