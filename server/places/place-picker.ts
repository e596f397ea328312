import { Place, type PlaceLevel, type PlaceRecord } from '../../models/place.model.js';
import type { ScopeUser } from '../auth/scope.js';
import { validationFailed } from '../errors/app-error.js';
import { comparePersian, searchKey, toLatinDigits } from '../shared/persian-text.js';

/** One choice of a place picker: the code it sends, and the name (with the place above it) a person reads. */
export interface PlaceChoice {
  code: string;
  label: string;
}

/** A picker lists its places in a <datalist> up to this many; beyond, the name typed is looked up on the server. */
export const PICKER_LIST_LIMIT = 400;

/** Census codes: digits, and the synthetic `<county>C<nn>` / `<county>D<nn>` of towns and districts listed without one. */
const CODE = /^\d{2,}([CD]\d+)?$/;

/**
 * The places of `levels` in the user's area, named with the place above them, in Persian order; null when there are
 * more than a phone should download (the person then types a name and the server finds it).
 */
export async function placeChoices(user: ScopeUser, levels: readonly PlaceLevel[]): Promise<PlaceChoice[] | null> {
  const filter: Record<string, unknown> = { province: user.province, placePath: user.placeCode, level: { $in: levels } };
  if ((await Place.countDocuments(filter).setOptions({ scope: user })) > PICKER_LIST_LIMIT) return null;
  const places = await Place.find(filter, { code: 1, name: 1, parent: 1 }).setOptions({ scope: user }).lean<PlaceRecord[]>();
  const parentCodes: Record<string, unknown> = { province: user.province, code: { $in: [...new Set(places.map((p) => p.parent).filter(Boolean))] } };
  const parents = await Place.find(parentCodes, { code: 1, name: 1 }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  const parentName = new Map(parents.map((p) => [p.code, p.name]));
  return places
    .map((p) => ({ code: p.code, label: p.parent && parentName.has(p.parent) ? `${p.name} — ${parentName.get(p.parent)}` : p.name }))
    .sort((a, b) => comparePersian(a.label, b.label));
}

/**
 * What a person typed in a place field, as a census code: a code in any digits stays a code; a name (ي/ی, ك/ک,
 * ZWNJ and spaces do not matter, nor the "— parent" a list adds) is looked up among the places of `levels` in
 * their area. No such name, or several places of that name, is a problem of `field`, said in words.
 */
export async function placeCodeFromText(user: ScopeUser, text: string, levels: readonly PlaceLevel[], field: string): Promise<string> {
  const typed = toLatinDigits(text.trim());
  if (CODE.test(typed)) return typed;
  const [name, parent] = text.split('—').map((part) => searchKey(part));
  const byName: Record<string, unknown> = { province: user.province, placePath: user.placeCode, level: { $in: levels }, nameKey: name };
  const matches = await Place.find(byName, { code: 1, parent: 1 }).setOptions({ scope: user }).lean<PlaceRecord[]>();
  let found = matches;
  if (found.length > 1 && parent) {
    const parentCodes: Record<string, unknown> = { province: user.province, code: { $in: found.map((p) => p.parent) } };
    const parents = await Place.find(parentCodes, { code: 1, nameKey: 1 }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
    const wanted = new Set(parents.filter((p) => p.nameKey === parent).map((p) => p.code));
    found = found.filter((p) => wanted.has(p.parent ?? ''));
  }
  if (found.length === 1) return found[0]!.code;
  throw validationFailed({ [field]: found.length ? 'places.pick.several' : 'places.pick.none' });
}
