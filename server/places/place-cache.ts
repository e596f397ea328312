import type { PlaceRecord } from '../../models/place.model.js';
import { TtlCache } from '../shared/ttl-cache.js';

/**
 * Census places by code. They do not change once imported, so they are kept for an hour (and at most 100,000 of
 * them, about the country's villages and towns); an import of places through the Place model empties the cache
 * (models/place.model.ts).
 */
export const placesByCode = new TtlCache<string, PlaceRecord>(60 * 60_000, 100_000);

export function forgetPlaces(): void {
  placesByCode.clear();
}
