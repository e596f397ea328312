import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { forgetPlaces } from '../server/places/place-cache.js';
import { onWrite } from './plugins/on-write.js';
import { placeScoped } from './plugins/place-scoped.js';

export const PLACE_LEVELS = ['province', 'county', 'district', 'rural_district', 'city', 'village'] as const;
export type PlaceLevel = (typeof PLACE_LEVELS)[number];

/** What the census says of a place, as the import reads it and the pages and API show it. */
export interface PlaceFacts {
  code: string;
  level: PlaceLevel;
  name: string;
  parent: string | null;
  ancestors: string[];
  province: string;
  population: number | null;
  households: number | null;
  male: number | null;
  female: number | null;
  urbanPopulation: number | null;
  ruralPopulation: number | null;
  nonsettledPopulation: number | null;
  suppressed: boolean;
  source: string;
}

/**
 * A place of the Statistical Centre of Iran's 1395 (2016) divisions, with its census figures.
 * `code` is the SCI code as a string (leading zeros matter: `0207` is Sari county); places the census files
 * name without a code carry a stable synthetic one (see server/places/census-files.ts) and say so in `source`.
 * `ancestors` holds the codes above the place, province first, so a whole subtree is one indexed query;
 * the place-scoped plugin adds `province` and `placePath` (= ancestors + code) like every place-bound record.
 */
const placeSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    level: { type: String, enum: PLACE_LEVELS, required: true },
    name: { type: String, required: true },
    nameKey: { type: String, required: true, index: true },
    parent: { type: String, default: null, index: true },
    ancestors: { type: [String], default: [], index: true },
    population: { type: Number, default: null },
    households: { type: Number, default: null },
    male: { type: Number, default: null },
    female: { type: Number, default: null },
    urbanPopulation: { type: Number, default: null },
    ruralPopulation: { type: Number, default: null },
    nonsettledPopulation: { type: Number, default: null },
    /** SCI printed `*` for villages of three households or fewer; their people still count in every parent. */
    suppressed: { type: Boolean, default: false },
    source: { type: String, required: true },
  },
  { collection: 'places', versionKey: false },
);
placeSchema.plugin(placeScoped);
placeSchema.index({ province: 1, level: 1 });
// census places do not change once imported; a re-import clears what this process remembers of them
onWrite(placeSchema, () => forgetPlaces());

export type PlaceRecord = InferSchemaType<typeof placeSchema> & { province: string; placePath: string[] };

export const Place = mongoose.model('Place', placeSchema);
