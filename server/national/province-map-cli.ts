/**
 * Builds server/places/data/iran-provinces.simplified.geojson from the project's shared data folder
 * (`../shared/data/iran-provinces.geojson`, 2.6 MB, beside the repository): the same 31 features and properties,
 * each ring simplified (Douglas–Peucker, 0.01°, about 1 km) and rounded to 0.001°. The national map is at most a
 * few hundred pixels wide, where one pixel is some 7 km, so nothing visible is lost.
 *   npm run build:province-map [-- <path of iran-provinces.geojson>]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simplify, type MapFeatureCollection, type MultiPolygonGeometry, type PolygonGeometry } from '../reports/svg-map.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = process.argv[2] ?? join(ROOT, '..', 'shared', 'data', 'iran-provinces.geojson');
const target = join(ROOT, 'server', 'places', 'data', 'iran-provinces.simplified.geojson');

const round = (n: number) => Math.round(n * 1000) / 1000;
const ring = (points: number[][]) => simplify(points.map(([x, y]) => [x!, y!] as [number, number]), 0.01).map(([x, y]) => [round(x), round(y)]);

const collection = JSON.parse(readFileSync(source, 'utf8')) as MapFeatureCollection;
for (const feature of collection.features) {
  const geometry = feature.geometry as PolygonGeometry | MultiPolygonGeometry;
  if (geometry.type === 'Polygon') geometry.coordinates = geometry.coordinates.map(ring).filter((r) => r.length >= 4);
  else geometry.coordinates = geometry.coordinates.map((polygon) => polygon.map(ring).filter((r) => r.length >= 4)).filter((polygon) => polygon.length > 0);
}
writeFileSync(target, JSON.stringify(collection) + '\n');
console.log(`${collection.features.length} provinces → ${target}`);
