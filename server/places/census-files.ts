import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { PLACE_LEVELS, type PlaceFacts, type PlaceLevel } from '../../models/place.model.js';
import { normalizePersian, searchKey } from '../shared/persian-text.js';

/** One place read from a census file, ready to store, with the line it came from. */
export interface PlaceInput extends PlaceFacts {
  file: string;
  line: number;
  nameKey: string;
}

export interface RowProblem {
  file: string;
  line: number;
  reason: string;
}

export interface ParsedCensusFile {
  places: PlaceInput[];
  problems: RowProblem[];
  /** Rows deliberately left out (e.g. cities the settlement table already holds with their real code). */
  skipped: number;
}

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

/** The census files the project ships, in import order (see server/places/data/SOURCES.md). */
export const SHIPPED_PLACE_FILES = ['iran-divisions-1395.csv', 'iran-districts-1395.csv', 'iran-cities-1395.csv'].map((f) => join(DATA_DIR, f));
export const DIVISIONS_FILE = SHIPPED_PLACE_FILES[0]!;

/**
 * Provinces whose districts, rural districts, cities and villages are in the settlement table
 * (iran-divisions-1395.csv) with real SCI codes; the city and district lists repeat them without codes.
 */
export const FULL_DEPTH_PROVINCES = ['03', '04', '24'];

/** The length of an SCI code at each level (data README: province 2, county 4, district 6, …). */
const CODE_LENGTH: Record<PlaceLevel, number> = { province: 2, county: 4, district: 6, rural_district: 10, city: 10, village: 16 };

export function readCensusFile(path: string): ParsedCensusFile {
  return parseCensusFile(readFileSync(path, 'utf8'), basename(path));
}

/** Reads any of the three census file layouts, recognised by their header. */
export function parseCensusFile(text: string, file: string): ParsedCensusFile {
  const rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const columns = header.split(',');
  const reader = new RowReader(file);
  if (columns[0] === 'level' && columns[1] === 'id') {
    for (const { record, info } of rows) reader.division(record, info.lines);
  } else if (columns.includes('city_name')) {
    reader.listed(rows, 'city');
  } else if (columns.includes('district_name')) {
    reader.listed(rows, 'district');
  } else {
    throw new Error(`${file}: not a census file this importer knows (header: ${header.slice(0, 80)})`);
  }
  return { places: reader.places, problems: reader.problems, skipped: reader.skipped };
}

class RowReader {
  places: PlaceInput[] = [];
  problems: RowProblem[] = [];
  skipped = 0;

  constructor(private readonly file: string) {}

  /** A row of the settlement-table layout (iran-divisions-1395.csv, mazandaran-1395.csv). */
  division(row: Record<string, string>, line: number): void {
    const problems: string[] = [];
    const level = row.level as PlaceLevel;
    if (!PLACE_LEVELS.includes(level)) {
      this.problems.push({ file: this.file, line, reason: `unknown level "${row.level ?? ''}"` });
      return;
    }
    const code = (row.id ?? '').trim();
    if (!new RegExp(`^\\d{${CODE_LENGTH[level]}}$`).test(code)) problems.push(`id "${code}" is not a ${CODE_LENGTH[level]}-digit ${level} code`);
    const ancestors = ancestorsOf(level, code);
    if (row.province_code && row.province_code !== code.slice(0, 2)) problems.push(`province_code ${row.province_code} does not match id ${code}`);
    const numbers = this.numbers(row, problems, {
      population: 'population',
      households: 'households',
      male: 'male',
      female: 'female',
      urbanPopulation: 'urban_population',
      ruralPopulation: 'rural_population',
      nonsettledPopulation: 'nonsettled_population',
    });
    this.add(line, problems, {
      code,
      level,
      name: row.name ?? '',
      parent: ancestors.at(-1) ?? null,
      ancestors,
      province: code.slice(0, 2),
      ...numbers,
      suppressed: row.suppressed === '1',
      source: row.source ?? '',
    });
  }

  /**
   * The city and district lists name places without an SCI code. Each gets a stable synthetic code under its
   * county: county id + `C` (city) or `D` (district) + its two-digit rank by name within the county, e.g. `0207C03`.
   * The letter keeps them apart from every real SCI code; the name order keeps them stable when figures change.
   */
  listed(rows: { record: Record<string, string>; info: { lines: number } }[], level: 'city' | 'district'): void {
    const nameColumn = level === 'city' ? 'city_name' : 'district_name';
    const byCounty = new Map<string, { row: Record<string, string>; line: number; name: string }[]>();
    for (const { record: row, info } of rows) {
      if (FULL_DEPTH_PROVINCES.includes(row.province_code ?? '')) {
        this.skipped++;
        continue;
      }
      const county = row.county_id ?? '';
      const list = byCounty.get(county) ?? [];
      list.push({ row, line: info.lines, name: normalizePersian(row[nameColumn] ?? '') });
      byCounty.set(county, list);
    }
    const letter = level === 'city' ? 'C' : 'D';
    for (const [county, list] of byCounty) {
      const ranked = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.line - b.line));
      ranked.forEach(({ row, line, name }, index) => {
        const problems: string[] = [];
        if (!/^\d{4}$/.test(county)) problems.push(`county_id "${county}" is not a 4-digit county code`);
        else if (row.province_code !== county.slice(0, 2)) problems.push(`province_code ${row.province_code ?? ''} does not match county_id ${county}`);
        const { population } = this.numbers(row, problems, { population: 'population' });
        this.add(line, problems, {
          code: `${county}${letter}${String(index + 1).padStart(2, '0')}`,
          level,
          name,
          parent: county,
          ancestors: [county.slice(0, 2), county],
          province: county.slice(0, 2),
          population,
          households: null,
          male: null,
          female: null,
          urbanPopulation: null,
          ruralPopulation: null,
          nonsettledPopulation: null,
          suppressed: false,
          source: `${level === 'city' ? 'iran-cities-1395' : 'iran-districts-1395'}:${row.source || 'none'}`,
        });
      });
    }
    this.places.sort((a, b) => a.line - b.line);
  }

  private numbers<K extends string>(row: Record<string, string>, problems: string[], columns: Record<K, string>): Record<K, number | null> {
    const result = {} as Record<K, number | null>;
    for (const [key, column] of Object.entries(columns) as [K, string][]) {
      const raw = (row[column] ?? '').trim();
      if (raw === '') result[key] = null;
      else if (/^\d+$/.test(raw)) result[key] = Number(raw);
      else {
        problems.push(`${column} "${raw}" is not a whole number`);
        result[key] = null;
      }
    }
    return result;
  }

  private add(line: number, problems: string[], place: Omit<PlaceInput, 'file' | 'line' | 'nameKey'>): void {
    const name = normalizePersian(place.name);
    if (!name) problems.push('the name is empty');
    if (!place.source) problems.push('the source is empty');
    if (problems.length > 0) {
      this.problems.push({ file: this.file, line, reason: problems.join('; ') });
      return;
    }
    this.places.push({ ...place, name, nameKey: searchKey(name), file: this.file, line });
  }
}

/** The codes above a place, province first, read off its hierarchical SCI code. */
function ancestorsOf(level: PlaceLevel, code: string): string[] {
  switch (level) {
    case 'province':
      return [];
    case 'county':
      return [code.slice(0, 2)];
    case 'district':
      return [code.slice(0, 2), code.slice(0, 4)];
    case 'rural_district':
    case 'city':
      return [code.slice(0, 2), code.slice(0, 4), code.slice(0, 6)];
    case 'village':
      return [code.slice(0, 2), code.slice(0, 4), code.slice(0, 6), code.slice(0, 10)];
  }
}
