import { Place } from '../../models/place.model.js';
import { logger } from '../logger.js';
import { readCensusFile, SHIPPED_PLACE_FILES } from './census-files.js';
import { importPlaces, type ImportReport } from './import.service.js';

/** Loads the census places the project ships (server/places/data) into an empty database; does nothing otherwise. */
export async function loadPlacesIfEmpty(): Promise<ImportReport | null> {
  if (await Place.exists({}).setOptions({ scope: 'system' })) return null;
  logger.info('empty database: loading the 1395 census places');
  const report = await importPlaces(
    SHIPPED_PLACE_FILES.map(readCensusFile),
    (done, total) => logger.info({ done, total }, 'loading places'),
  );
  logger.info({ created: report.created, rejected: report.rejected.length }, 'census places loaded');
  for (const problem of report.rejected) logger.warn(problem, 'census row rejected');
  return report;
}
