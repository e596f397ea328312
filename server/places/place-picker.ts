import type { RequestHandler } from 'express';
import { Place, PLACE_LEVELS, type PlaceLevel, type PlaceRecord } from '../../models/place.model.js';
import type { ScopeUser } from '../auth/scope.js';
import { validationFailed } from '../errors/app-error.js';
import { comparePersian, searchKey, toLatinDigits } from '../shared/persian-text.js';

/**
 * Choosing a place by its Persian name, the same on every form and filter (views/partials/place-picker.hbs): the
 * text field `<name>` takes a name (ي/ی, ك/ک, ZWNJ, spaces and digit scripts do not matter) or a census code; when a
 * name fits several places, or only begins some, the page lists them with the places above them as radio buttons
 * `<name>Pick`, and the next submit takes the one picked. No JavaScript needed; a <datalist> helps when the area is
 * small. Only places in the user's own area are ever found.
 */

/** One choice of a place picker: the code it sends, and the name (with the places above it) a person reads. */
export interface PlaceChoice {
  code: string;
  label: string;
  level: PlaceLevel;
}

/** What a picker shows: the <datalist> choices (null when too many), the places that fit what was typed, and its problem. */
export interface PlacePicker {
  choices: PlaceChoice[] | null;
  matches: PlaceChoice[];
  /** what the field shows: the name typed, or the place found, named (never a bare code when the place is known) */
  value?: string;
  /** with no list in the page, the levels a script asks /places/suggest about as a name is typed */
  levels?: string;
  error?: string;
}

/** Every level: a filter may be set to any place of the user's area. */
export const ANY_LEVEL: readonly PlaceLevel[] = PLACE_LEVELS;

/** A picker lists its places in a <datalist> up to this many; beyond, the name typed is looked up on the server. */
const PICKER_LIST_LIMIT = 400;
/** Places offered for a name that only begins theirs: a longer list means the person should type more. */
const MATCH_LIMIT = 20;

/** Census codes: digits, and the synthetic `<county>C<nn>` / `<county>D<nn>` of towns and districts listed without one. */
const CODE = /^\d{2,}([CD]\d+)?$/;

const inArea = (user: ScopeUser, levels: readonly PlaceLevel[]): Record<string, unknown> => ({ province: user.province, placePath: user.placeCode, level: { $in: levels } });

/** "name — parent — grandparent" (the province left out, it is the user's own), so two places of one name differ. */
async function labelled(places: PlaceRecord[], depth: number): Promise<PlaceChoice[]> {
  const ancestors = (p: PlaceRecord) => p.placePath.slice(1, -1).slice(-depth).reverse();
  const codes = [...new Set(places.flatMap(ancestors))];
  const above = codes.length ? await Place.find({ province: places[0]!.province, code: { $in: codes } }, { code: 1, name: 1 }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>() : [];
  const name = new Map(above.map((p) => [p.code, p.name]));
  return places
    .map((p) => ({ code: p.code, level: p.level, label: [p.name, ...ancestors(p).map((c) => name.get(c)).filter(Boolean)].join(' — ') }))
    .sort((a, b) => comparePersian(a.label, b.label));
}

/**
 * The places of `levels` in the user's area, named with the place above them, in Persian order; null when there are
 * more than a phone should download (the person then types a name and the server finds it).
 */
export async function placeChoices(user: ScopeUser, levels: readonly PlaceLevel[]): Promise<PlaceChoice[] | null> {
  const filter = inArea(user, levels);
  if ((await Place.countDocuments(filter).setOptions({ scope: user })) > PICKER_LIST_LIMIT) return null;
  return labelled(await Place.find(filter, { code: 1, name: 1, level: 1, province: 1, placePath: 1 }).setOptions({ scope: user }).lean<PlaceRecord[]>(), 1);
}

/**
 * The places of the user's area that fit a typed name: those of exactly that name (narrowed by the "— parent" a list
 * adds), else those whose name begins with it. A census code is not looked up here (see resolvePlace).
 */
export async function matchingPlaces(user: ScopeUser, text: string, levels: readonly PlaceLevel[]): Promise<PlaceChoice[]> {
  const [name, ...above] = text.split('—').map((part) => searchKey(part));
  if (!name) return [];
  const fields = { code: 1, name: 1, level: 1, province: 1, placePath: 1, nameKey: 1 };
  let found = await Place.find({ ...inArea(user, levels), nameKey: name }, fields).setOptions({ scope: user }).limit(MATCH_LIMIT).lean<PlaceRecord[]>();
  if (!found.length) found = await Place.find({ ...inArea(user, levels), nameKey: { $regex: `^${escapeRegex(name)}` } }, fields).setOptions({ scope: user }).limit(MATCH_LIMIT).lean<PlaceRecord[]>();
  const choices = await labelled(found, 2);
  if (choices.length < 2 || !above.some(Boolean)) return choices;
  // "name — parent" from a list: keep the places whose label says the same, spelled any way
  const saysTheSame = (choice: PlaceChoice) => {
    const parts = choice.label.split('—').slice(1).map(searchKey);
    return above.every((a) => !a || parts.includes(a));
  };
  const narrowed = choices.filter(saysTheSame);
  return narrowed.length ? narrowed : choices;
}

/**
 * What a person typed (and maybe picked from a list of matches), as one place: a census code in any digits stays a
 * code (the caller checks it like any code); one place of exactly that name, or the one picked among those that fit,
 * is that place. Otherwise the places that fit, for the person to pick from (none when nothing does).
 */
export async function resolvePlace(user: ScopeUser, typed: string, levels: readonly PlaceLevel[], picked?: string): Promise<{ code: string } | { matches: PlaceChoice[] }> {
  const code = toLatinDigits(typed.trim());
  if (CODE.test(code)) return { code };
  const matches = await matchingPlaces(user, typed, levels);
  if (picked && matches.some((m) => m.code === picked)) return { code: picked };
  if (matches.length === 1 && isNamed(matches[0]!, typed)) return { code: matches[0]!.code };
  return { matches };
}

/** Whether a choice has the very name typed (not only one that begins so). */
const isNamed = (choice: PlaceChoice, typed: string): boolean => searchKey(choice.label.split('—')[0]!) === searchKey(typed.split('—')[0]!);

/** The problem of a picker that found no single place, in the catalogue's words: none, several of that name, or names that begin so. */
function pickProblem(typed: string, matches: PlaceChoice[]): string {
  if (!matches.length) return 'places.pick.none';
  return isNamed(matches[0]!, typed) ? 'places.pick.several' : 'places.pick.begins';
}

/** resolvePlace for a form: a name that gives no single place is a problem of `field`, reported with the others. */
export async function placeCodeFromText(user: ScopeUser, text: string, levels: readonly PlaceLevel[], field: string, picked?: string): Promise<string> {
  const found = await resolvePlace(user, text, levels, picked);
  if ('code' in found) return found.code;
  throw validationFailed({ [field]: pickProblem(text, found.matches) });
}

/**
 * Before a form's `validate(...)`: the place field `field` typed as a name becomes its code (with `<field>Pick` when one
 * was picked from the matches); a name that gives no single place is left as typed, its problem reported by
 * `validate` with every other problem of the form, in one round.
 * `levels` may depend on the rest of the form (the role a new account is given).
 */
export function placeByName(field: string, levels: readonly PlaceLevel[] | ((body: Record<string, unknown>) => readonly PlaceLevel[])): RequestHandler {
  return async (req, _res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    const typed = body?.[field];
    if (!body || !req.user || typeof typed !== 'string' || !typed.trim()) return next();
    const picked = body[`${field}Pick`];
    const found = await resolvePlace(req.user, typed, typeof levels === 'function' ? levels(body) : levels, typeof picked === 'string' ? toLatinDigits(picked.trim()) : undefined);
    if ('code' in found) body[field] = found.code;
    else req.fieldProblems = { ...req.fieldProblems, [field]: pickProblem(typed, found.matches) };
    next();
  };
}

/**
 * The picker of a page: its <datalist>, and after a name that gave no single place (a filter just submitted, or a
 * form refused and shown again with what was typed) the places to pick from and the problem.
 */
export async function placePicker(user: ScopeUser, levels: readonly PlaceLevel[], typed?: unknown): Promise<PlacePicker> {
  const picker = await emptyPicker(user, levels);
  const text = typeof typed === 'string' ? typed.trim() : '';
  if (!text) return picker;
  const found = await resolvePlace(user, text, levels);
  if ('code' in found) return { ...picker, value: await nameOf(user, found.code, text) };
  return { ...picker, matches: found.matches, value: text, error: pickProblem(text, found.matches) };
}

/** A picker with nothing typed yet: the area's places when few, else the levels its script asks about. */
async function emptyPicker(user: ScopeUser, levels: readonly PlaceLevel[]): Promise<PlacePicker> {
  const choices = await placeChoices(user, levels);
  return { choices, matches: [], ...(choices ? {} : { levels: levels.join(',') }) };
}

/** A place the field shows by its name and the places above it (which the picker reads back as that place). */
async function nameOf(user: ScopeUser, code: string, otherwise: string): Promise<string> {
  const place = await Place.findOne({ province: user.province, placePath: user.placeCode, code }, { code: 1, name: 1, level: 1, province: 1, placePath: 1 }).setOptions({ scope: user }).lean<PlaceRecord>();
  return place ? (await labelled([place], 2))[0]!.label : otherwise;
}

/**
 * A filter's place (`?place=<name or code>&placePick=<code>`): its code, or null with the picker showing what fits.
 * An empty filter is no filter.
 */
export async function placeFilter(user: ScopeUser, levels: readonly PlaceLevel[], typed: string | undefined, picked: string | undefined): Promise<{ code: string | undefined; picker: PlacePicker }> {
  const picker = await emptyPicker(user, levels);
  if (!typed?.trim()) return { code: undefined, picker };
  const found = await resolvePlace(user, typed, levels, picked);
  if ('code' in found) return { code: found.code, picker: { ...picker, value: await nameOf(user, found.code, typed) } };
  return { code: undefined, picker: { ...picker, matches: found.matches, value: typed, error: pickProblem(typed, found.matches) } };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
