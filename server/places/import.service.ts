import { Place, PLACE_LEVELS } from '../../models/place.model.js';
import type { ParsedCensusFile, PlaceInput, RowProblem } from './census-files.js';

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  rejected: RowProblem[];
}

export type ImportProgress = (done: number, total: number) => void;

/** Fields of a place the import owns; a place whose fields all equal the file's is left untouched. */
const FIELDS = [
  'level',
  'name',
  'nameKey',
  'parent',
  'ancestors',
  'province',
  'placePath',
  'population',
  'households',
  'male',
  'female',
  'urbanPopulation',
  'ruralPopulation',
  'nonsettledPopulation',
  'suppressed',
  'source',
] as const;

const BATCH = 1000;

/**
 * Brings the places of parsed census files into the database, idempotently: new codes are created, changed
 * places updated, equal ones left alone. A malformed row, a repeated code or a row whose parent exists neither
 * in the files nor in the database is reported by file and line and changes nothing.
 */
export async function importPlaces(files: ParsedCensusFile[], onProgress: ImportProgress = () => {}): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, skipped: 0, rejected: [] };
  const candidates: PlaceInput[] = [];
  for (const file of files) {
    report.rejected.push(...file.problems);
    report.skipped += file.skipped;
    candidates.push(...file.places);
  }
  const accepted = await acceptable(candidates, report.rejected);
  report.rejected.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));

  for (let start = 0; start < accepted.length; start += BATCH) {
    const batch = accepted.slice(start, start + BATCH);
    const existing = new Map(
      (await Place.find({ code: { $in: batch.map((p) => p.code) } }).setOptions({ scope: 'system' }).lean()).map((p) => [p.code, p]),
    );
    const inserts: Record<string, unknown>[] = [];
    const updates: { updateOne: { filter: { code: string }; update: { $set: Record<string, unknown> } } }[] = [];
    for (const input of batch) {
      const stored = storedFields(input);
      const current = existing.get(input.code) as Record<string, unknown> | undefined;
      if (!current) inserts.push({ code: input.code, ...stored });
      else if (FIELDS.some((f) => !same(current[f], stored[f]))) updates.push({ updateOne: { filter: { code: input.code }, update: { $set: stored } } });
      else report.unchanged++;
    }
    if (inserts.length) await Place.insertMany(inserts, { ordered: true });
    if (updates.length) await Place.bulkWrite(updates, { ordered: true });
    report.created += inserts.length;
    report.updated += updates.length;
    onProgress(Math.min(start + BATCH, accepted.length), accepted.length);
  }
  return report;
}

/**
 * Drops rows with a code already used by an earlier row, and rows whose parent is neither accepted from the files
 * nor already stored (which also drops the children of a rejected row). Parents come first, so one pass suffices.
 */
async function acceptable(candidates: PlaceInput[], rejected: RowProblem[]): Promise<PlaceInput[]> {
  const ordered = [...candidates].sort((a, b) => PLACE_LEVELS.indexOf(a.level) - PLACE_LEVELS.indexOf(b.level));
  const parentCodes = [...new Set(ordered.map((p) => p.parent).filter((c): c is string => c !== null))];
  const storedParents = new Set<string>();
  for (let i = 0; i < parentCodes.length; i += BATCH) {
    const found = await Place.find({ code: { $in: parentCodes.slice(i, i + BATCH) } }, { code: 1 }).setOptions({ scope: 'system' }).lean();
    for (const p of found) storedParents.add(p.code);
  }
  const seen = new Map<string, PlaceInput>();
  const accepted: PlaceInput[] = [];
  for (const place of ordered) {
    const earlier = seen.get(place.code);
    if (earlier) {
      rejected.push({ file: place.file, line: place.line, reason: `code ${place.code} is already used on line ${earlier.line} of ${earlier.file}` });
      continue;
    }
    if (place.parent !== null && !seen.has(place.parent) && !storedParents.has(place.parent)) {
      rejected.push({ file: place.file, line: place.line, reason: `its parent ${place.parent} is not a known place` });
      continue;
    }
    seen.set(place.code, place);
    accepted.push(place);
  }
  return accepted;
}

function storedFields(input: PlaceInput): Record<string, unknown> {
  return {
    level: input.level,
    name: input.name,
    nameKey: input.nameKey,
    parent: input.parent,
    ancestors: input.ancestors,
    province: input.province,
    placePath: [...input.ancestors, input.code],
    population: input.population,
    households: input.households,
    male: input.male,
    female: input.female,
    urbanPopulation: input.urbanPopulation,
    ruralPopulation: input.ruralPopulation,
    nonsettledPopulation: input.nonsettledPopulation,
    suppressed: input.suppressed,
    source: input.source,
  };
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return (a ?? null) === (b ?? null);
}
