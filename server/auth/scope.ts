import { Place, type PlaceRecord } from '../../models/place.model.js';
import { notFound } from '../errors/app-error.js';
import { isInScope, outOfScope, type QueryScope } from './scope-rule.js';

export * from './scope-rule.js';

/**
 * Loads the place `placeCode` and refuses (403) when it lies outside the user's area, or 404 when it does not exist.
 * The place is looked up with the system scope only to tell those two cases apart; nothing of it is returned unless in scope.
 */
export async function assertInScope(user: QueryScope, placeCode: string): Promise<PlaceRecord> {
  const place = await Place.findOne({ code: placeCode }).setOptions({ scope: 'system' }).lean<PlaceRecord>();
  if (!place) throw notFound();
  if (!isInScope(user, place)) throw outOfScope();
  return place;
}
