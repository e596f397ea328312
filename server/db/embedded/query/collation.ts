/**
 * MongoDB collations on Node's ICU (`Intl.Collator`): the collation document is validated and
 * completed as mongod does (so listIndexes shows the same spec), MongoDB's ICU locale ids
 * (`en_US`, `de@collation=phonebook`) are mapped to BCP 47 tags, and strings compare with the
 * requested strength, caseLevel, caseFirst, numericOrdering and alternate.
 *
 * ICU's sort keys are not exposed by `Intl`, so equality keys (unique collated indexes, distinct)
 * come from a registry of representatives: each string maps to the first string seen that the
 * collator finds equal, found by binary search in a list kept in collation order. Equal under the
 * collation therefore means equal key, exactly.
 */
import { canonicalKey, compareValues, isPlainObject, type Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';

export interface Collation {
  /** The completed collation document, as mongod reports it. */
  spec: Doc;
  compare: (a: string, b: string) => number;
  /** A string equal for two values exactly when they are equal under this collation. */
  key: (v: unknown) => string;
}

/** ICU collation keywords as MongoDB spells them, and as BCP 47 spells them (at most 8 letters). */
const COLLATION_KEYWORDS: Record<string, string> = {
  phonebook: 'phonebk',
  traditional: 'trad',
  dictionary: 'dict',
  gb2312han: 'gb2312',
};

const FIELDS = new Set(['locale', 'caseLevel', 'caseFirst', 'strength', 'numericOrdering', 'alternate', 'maxVariable', 'normalization', 'backwards', 'version']);

function invalid(field: string, spec: Doc): never {
  fail(ErrorCodes.BadValue, `Field '${field}' is invalid in: ${JSON.stringify(spec)}`);
}

function bcp47(locale: string): string {
  const [base, keywords] = locale.split('@');
  let tag = base.replace(/_/g, '-');
  const co = /(?:^|;)collation=([a-z0-9]+)/i.exec(keywords ?? '');
  if (co) tag += `-u-co-${COLLATION_KEYWORDS[co[1]] ?? co[1]}`;
  return tag;
}

const cache = new Map<string, Collation | undefined>();

/**
 * The collation a command asked for, or undefined for the simple (binary) one. An absent or empty
 * collation means "the collection's default" to callers; `{ locale: 'simple' }` means binary.
 */
export function parseCollation(raw: unknown): Collation | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) fail(ErrorCodes.TypeMismatch, "BSON field 'collation' is the wrong type, expected type 'object'");
  const id = canonicalKey(raw);
  if (cache.has(id)) return cache.get(id);
  const made = build(raw);
  cache.set(id, made);
  return made;
}

function build(raw: Doc): Collation | undefined {
  for (const k of Object.keys(raw)) if (!FIELDS.has(k)) fail(ErrorCodes.FailedToParse, `unknown field '${k}' in collation`);
  if (typeof raw.locale !== 'string') fail(ErrorCodes.FailedToParse, "required parameter 'locale' is missing");
  if (raw.locale === 'simple') {
    if (Object.keys(raw).some((k) => k !== 'locale' && k !== 'version')) fail(ErrorCodes.FailedToParse, 'Collation options other than locale are not allowed with the simple locale');
    return undefined;
  }
  const tag = bcp47(raw.locale);
  let supported: string[];
  try {
    supported = Intl.Collator.supportedLocalesOf(tag);
  } catch {
    supported = [];
  }
  if (raw.locale === '' || supported.length === 0) invalid('locale', raw);
  const strength = raw.strength ?? 3;
  if (![1, 2, 3, 4, 5].includes(Number(strength))) invalid('strength', raw);
  const caseFirst = raw.caseFirst ?? 'off';
  if (!['upper', 'lower', 'off'].includes(caseFirst)) invalid('caseFirst', raw);
  const alternate = raw.alternate ?? 'non-ignorable';
  if (!['non-ignorable', 'shifted'].includes(alternate)) invalid('alternate', raw);
  const maxVariable = raw.maxVariable ?? 'punct';
  if (!['punct', 'space'].includes(maxVariable)) invalid('maxVariable', raw);
  for (const f of ['caseLevel', 'numericOrdering', 'normalization', 'backwards']) {
    if (raw[f] !== undefined && typeof raw[f] !== 'boolean') fail(ErrorCodes.TypeMismatch, `BSON field 'collation.${f}' is the wrong type, expected type 'bool'`);
  }
  if (raw.backwards === true) fail(ErrorCodes.NotImplemented, 'collation backwards (French secondary ordering) is not supported by the embedded server');
  if (alternate === 'shifted' && maxVariable === 'space') fail(ErrorCodes.NotImplemented, "collation maxVariable 'space' is not supported by the embedded server");
  const caseLevel = raw.caseLevel === true;
  const numericOrdering = raw.numericOrdering === true;
  const spec: Doc = {
    locale: raw.locale,
    caseLevel,
    caseFirst,
    strength: Number(strength),
    numericOrdering,
    alternate,
    maxVariable,
    normalization: raw.normalization === true,
    backwards: false,
    version: '57.1',
  };
  const sensitivity = spec.strength === 1 ? (caseLevel ? 'case' : 'base') : spec.strength === 2 ? (caseLevel ? 'variant' : 'accent') : 'variant';
  const icu = new Intl.Collator(tag, {
    usage: 'sort',
    sensitivity,
    caseFirst: caseFirst === 'off' ? 'false' : caseFirst,
    numeric: numericOrdering,
    ignorePunctuation: alternate === 'shifted',
  });
  // Quaternary with shifted: punctuation breaks ties. Identical: the code points break ties.
  const punctuation = spec.strength >= 4 && alternate === 'shifted' ? new Intl.Collator(tag, { sensitivity: 'variant', caseFirst: icu.resolvedOptions().caseFirst as 'upper' | 'lower' | 'false', numeric: numericOrdering }) : undefined;
  const compare = (a: string, b: string): number => {
    const c = icu.compare(a, b);
    if (c !== 0 || spec.strength < 4) return c;
    const p = punctuation ? punctuation.compare(a, b) : 0;
    if (p !== 0 || spec.strength < 5) return p;
    const x = a.normalize('NFD');
    const y = b.normalize('NFD');
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const representatives: string[] = [];
  const representative = (s: string): string => {
    let lo = 0;
    let hi = representatives.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compare(representatives[mid], s);
      if (c === 0) return representatives[mid];
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    representatives.splice(lo, 0, s);
    return s;
  };
  return { spec, compare, key: (v) => canonicalKey(v, representative) };
}

/** The collation that applies: the command's own, else the collection's default. */
export function effectiveCollation(commandCollation: unknown, collectionDefault: unknown): Collation | undefined {
  if (commandCollation !== undefined && commandCollation !== null) return parseCollation(commandCollation);
  return parseCollation(collectionDefault);
}

/** Two collations are the same when their completed documents are (undefined: simple). */
export function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  return (a?.spec.locale ?? 'simple') === (b?.spec.locale ?? 'simple') && canonicalKey(a?.spec ?? null) === canonicalKey(b?.spec ?? null);
}

/** MongoDB's comparison of two BSON values with strings compared under the collation. */
export function collatedCompare(collation: Collation | undefined): (a: unknown, b: unknown) => number {
  if (!collation) return compareValues;
  return (a, b) => compareValues(a, b, collation.compare);
}

/** How an index encodes its keys: canonical values, or equality classes under its collation. */
export function collationKeyEncoder(indexCollation: unknown): (v: unknown) => string {
  const collation = parseCollation(indexCollation);
  return collation ? collation.key : (v) => canonicalKey(v);
}
