import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `public/` directory of the app (same relative place from `src/ui` and from `dist/ui`). */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** One file of the web UI, ready to serve. */
export interface StaticAsset {
  body: string;
  contentType: string;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat();
}

/**
 * Loads every UI file once, keyed by URL path (`/js/app.js`). Only files present at start-up are served, so
 * a request path can never reach outside `public/`.
 */
export async function loadStaticAssets(dir = PUBLIC_DIR): Promise<Map<string, StaticAsset>> {
  const assets = new Map<string, StaticAsset>();
  for (const file of await walk(dir)) {
    const contentType = CONTENT_TYPES[extname(file)];
    if (contentType === undefined) continue;
    const urlPath = `/${relative(dir, file).split('\\').join('/')}`;
    assets.set(urlPath, { body: await readFile(file, 'utf8'), contentType });
  }
  return assets;
}
