/**
 * `npm run import:places -- <csv> [<csv>…]`: imports census files (any of the three layouts of server/places/data)
 * into the configured database. Idempotent; malformed rows are listed by line and change nothing.
 * With no file, imports the shipped ones. Exit status 1 when rows were rejected.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/connect.js';
import { configureLogger } from '../logger.js';
import { readCensusFile, SHIPPED_PLACE_FILES } from './census-files.js';
import { importPlaces } from './import.service.js';

const files = process.argv.slice(2).map((f) => resolve(f));
const config = loadConfig();
configureLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const database = await connectDatabase(config);
try {
  const parsed = (files.length ? files : SHIPPED_PLACE_FILES).map((file) => {
    const result = readCensusFile(file);
    console.log(`${file}: ${result.places.length} places read, ${result.problems.length} malformed, ${result.skipped} skipped`);
    return result;
  });
  const report = await importPlaces(parsed, (done, total) => process.stdout.write(`\rimporting ${done}/${total}`));
  process.stdout.write('\n');
  for (const problem of report.rejected) console.log(`${problem.file} line ${problem.line}: ${problem.reason}`);
  console.log(`created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}, rejected ${report.rejected.length}`);
  process.exitCode = report.rejected.length ? 1 : 0;
} finally {
  await database.close();
}
