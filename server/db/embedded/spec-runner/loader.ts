/** Finds and parses unified-format JSON files (EJSON, canonical types kept). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BSON } from 'mongodb';
import type { TestFile } from './types.js';

export interface LoadedFile {
  path: string;
  file?: TestFile;
  /** Set when the file could not be read or parsed; the runner reports it as a failure. */
  loadError?: string;
}

/** Every *.json file directly in (or below) each directory, sorted by path; a file path is taken as is. */
export function listSpecFiles(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(join(p, name));
    } else if (p.endsWith('.json')) {
      out.push(p);
    }
  };
  for (const p of paths) visit(resolve(p));
  return out;
}

export function parseSpecText(text: string): TestFile {
  // The driver's own EJSON (canonical types kept: $numberLong → Long, 1 → Int32, 1.5 → Double).
  return BSON.EJSON.parse(text, { relaxed: false }) as unknown as TestFile;
}

export function loadSpecFile(path: string): LoadedFile {
  try {
    const file = parseSpecText(readFileSync(path, 'utf8'));
    if (typeof file !== 'object' || file === null || !Array.isArray(file.tests)) {
      return { path, loadError: 'not a unified-format test file (no "tests" array)' };
    }
    return { path, file };
  } catch (err) {
    return { path, loadError: `cannot parse: ${(err as Error).message}` };
  }
}
