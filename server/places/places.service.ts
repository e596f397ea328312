import { Place, type PlaceFacts, type PlaceLevel, type PlaceRecord } from '../../models/place.model.js';
import { assertInScope, isInScope, type AuthUser, type ScopeUser } from '../auth/scope.js';
import { comparePersian, searchKey } from '../shared/persian-text.js';

/** A place as the pages and the API show it. */
export type PlaceView = PlaceFacts;

export interface Crumb {
  code: string;
  level: PlaceLevel;
  name: string;
  /** false for the places above the user's own area: named, not opened */
  inScope: boolean;
}

export function toPlaceView(p: PlaceRecord): PlaceView {
  return {
    code: p.code,
    level: p.level as PlaceLevel,
    name: p.name,
    parent: p.parent ?? null,
    ancestors: p.ancestors,
    province: p.province,
    population: p.population ?? null,
    households: p.households ?? null,
    male: p.male ?? null,
    female: p.female ?? null,
    urbanPopulation: p.urbanPopulation ?? null,
    ruralPopulation: p.ruralPopulation ?? null,
    nonsettledPopulation: p.nonsettledPopulation ?? null,
    suppressed: p.suppressed ?? false,
    source: p.source,
  };
}

/** One place the user may see (403 outside their area, 404 when there is no such place). */
export async function getPlace(user: ScopeUser, code: string): Promise<PlaceView> {
  return toPlaceView(await assertInScope(user, code));
}

/** The places directly under `code`, in Persian alphabetical order. */
export async function childrenOf(user: ScopeUser, code: string): Promise<PlaceView[]> {
  await assertInScope(user, code);
  const children = await Place.find({ parent: code }).setOptions({ scope: user }).lean<PlaceRecord[]>();
  return children.map(toPlaceView).sort((a, b) => comparePersian(a.name, b.name));
}

/**
 * The path from the province down to the place. Places above the user's area are read with the system scope
 * on purpose: a county governor may see that Sari lies in Mazandaran, though not open Mazandaran.
 */
export async function breadcrumb(user: ScopeUser, place: PlaceView): Promise<Crumb[]> {
  const above = await Place.find({ code: { $in: place.ancestors } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  const byCode = new Map(above.map((p) => [p.code, p]));
  return place.ancestors
    .map((code) => byCode.get(code))
    .filter((p): p is PlaceRecord => p !== undefined)
    .map((p) => ({ code: p.code, level: p.level as PlaceLevel, name: p.name, inScope: isInScope(user, p) }));
}

const SEARCH_LIMIT = 50;

/**
 * Places in the user's area whose name starts with what was typed, however it was typed (ی/ي, ک/ك, half-spaces,
 * Persian or Latin digits): both sides go through the same search key. A code finds its place too.
 */
export async function searchPlaces(user: ScopeUser, query: string): Promise<PlaceView[]> {
  const key = searchKey(query);
  if (!key) return [];
  const filter = /^\d+[CD]?\d*$/.test(key.toUpperCase()) ? { code: key.toUpperCase() } : { nameKey: { $regex: `^${escapeRegex(key)}` } };
  const found = await Place.find(filter).setOptions({ scope: user }).limit(SEARCH_LIMIT).lean<PlaceRecord[]>();
  return found.map(toPlaceView).sort((a, b) => comparePersian(a.name, b.name));
}

/** `GET /api/v1/me`: who the caller is and the place they answer for. */
export async function describeMe(user: AuthUser): Promise<{ username: string; role: string; agency?: string; place: { code: string; level: string; name: string } }> {
  const place = await getPlace(user, user.placeCode);
  return {
    username: user.username,
    role: user.role,
    ...(user.agency ? { agency: user.agency } : {}),
    place: { code: place.code, level: place.level, name: place.name },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
