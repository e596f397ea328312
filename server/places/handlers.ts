import type { Request, Response } from 'express';
import { validated } from '../http/validate.js';
import { matchingPlaces } from './place-picker.js';
import { breadcrumb, childrenOf, getPlace, searchPlaces } from './places.service.js';
import { placeList, placeParams, placeSearch, placeSuggest } from './validation.js';

export async function showPlace(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, placeParams);
  const place = await getPlace(req.user!, params.code);
  const [children, crumbs] = await Promise.all([childrenOf(req.user!, place.code), breadcrumb(req.user!, place)]);
  res.render('places/show', { title: place.name, place, children, crumbs, sourceKind: sourceKind(place.source) });
}

/** What kind of source a census record came from, for a sentence in the reader's language (the code itself is shown as a code). */
function sourceKind(source: string | undefined): string {
  if (!source || /(^|:)none$/.test(source)) return 'none';
  if (/SCI1395/.test(source)) return 'census';
  if (/WP-/.test(source)) return 'wikipedia';
  return 'other';
}

export async function searchPage(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, placeSearch);
  const results = query.q ? await searchPlaces(req.user!, query.q) : [];
  res.render('places/search', { q: query.q, results, searched: Boolean(query.q) });
}

export async function placeJson(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, placeParams);
  res.json(await getPlace(req.user!, params.code));
}

export async function listJson(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, placeList);
  const places = query.parent !== undefined ? await childrenOf(req.user!, query.parent) : await searchPlaces(req.user!, query.q ?? '');
  res.json({ places });
}

/** The places of the user's area a typed name fits (two letters at least), named for a picker's <datalist>. */
export async function suggestJson(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, placeSuggest);
  const choices = query.q.length >= 2 && query.levels.length ? await matchingPlaces(req.user!, query.q, query.levels) : [];
  res.json({ choices: choices.map(({ label, level }) => ({ label, level })) });
}
