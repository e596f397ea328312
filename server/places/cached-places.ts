import { Place, type PlaceRecord } from '../../models/place.model.js';
import { placesByCode } from './place-cache.js';

/** The place with this code, from the cache or read once (system scope: the caller checks the user's scope). */
export async function placeByCode(code: string): Promise<PlaceRecord | null> {
  const cached = placesByCode.get(code);
  if (cached) return cached;
  const place = await Place.findOne({ code }).setOptions({ scope: 'system' }).lean<PlaceRecord>();
  if (place) placesByCode.set(code, place);
  return place;
}

/** The places with these codes (those that exist), reading only the ones not yet cached, in one query. */
export async function placesByCodes(codes: Iterable<string>): Promise<Map<string, PlaceRecord>> {
  const found = new Map<string, PlaceRecord>();
  const missing: string[] = [];
  for (const code of new Set(codes)) {
    const cached = placesByCode.get(code);
    if (cached) found.set(code, cached);
    else missing.push(code);
  }
  if (missing.length > 0) {
    const read = await Place.find({ code: { $in: missing } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
    for (const place of read) {
      placesByCode.set(place.code, place);
      found.set(place.code, place);
    }
  }
  return found;
}
