import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface OfflineAssets {
  /** public/offline/app.js with the server rules it imports (offline-checks.ts and what it uses), for every page. */
  app: string;
  /** public/offline/sw.js, with the release's version written in. */
  serviceWorker: string;
  /** A hash of the scripts and the stylesheet: the service worker's cache names, so a release replaces the old caches. */
  version: string;
}

let built: Promise<OfflineAssets> | undefined;

/**
 * The phone's scripts, bundled once per process from their sources (esbuild, which tsx already brings): the rules
 * come from the server's own modules, so they are never written twice.
 */
export function offlineAssets(): Promise<OfflineAssets> {
  built ??= bundleAssets();
  return built;
}

async function bundleAssets(): Promise<OfflineAssets> {
  const [app, serviceWorker] = await Promise.all([bundle('public/offline/app.js'), bundle('public/offline/sw.js')]);
  const version = createHash('sha256').update(app).update(serviceWorker).update(readFileSync(join(ROOT, 'public/app.css'))).digest('hex').slice(0, 12);
  return { app, serviceWorker: serviceWorker.replace('__VERSION__', version), version };
}

async function bundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [join(ROOT, entry)], bundle: true, write: false, format: 'iife', minify: true, target: 'es2020', platform: 'browser', legalComments: 'none', logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}
