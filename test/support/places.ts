import { readCensusFile, SHIPPED_PLACE_FILES, type PlaceInput } from '../../server/places/census-files.js';
import { importPlaces } from '../../server/places/import.service.js';

let shipped: PlaceInput[] | undefined;

/** Every place of the shipped census files, parsed once per test run. */
export function shippedPlaces(): PlaceInput[] {
  shipped ??= SHIPPED_PLACE_FILES.flatMap((file) => readCensusFile(file).places);
  return shipped;
}

/**
 * Loads a small slice of the real census places, fast: each place named, everything above it and everything under it.
 *   await loadPlaces('0207', '0303030001')  // Sari county; a rural district of Tabriz with its villages
 */
export async function loadPlaces(...codes: string[]): Promise<number> {
  const wanted = new Set(codes);
  const above = new Set(shippedPlaces().filter((p) => wanted.has(p.code)).flatMap((p) => p.ancestors));
  const slice = shippedPlaces().filter((p) => wanted.has(p.code) || above.has(p.code) || p.ancestors.some((a) => wanted.has(a)));
  const report = await importPlaces([{ places: slice, problems: [], skipped: 0 }]);
  return report.created + report.updated + report.unchanged;
}
