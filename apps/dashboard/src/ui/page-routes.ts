import { Hono } from 'hono';
import type { DashboardEnv } from '../dashboard-env.js';
import type { StaticAsset } from './static-assets.js';

/** Serves the single-page UI: `/` is `index.html`, other files by path; everything else is 404. */
export function pageRoutes(assets: Map<string, StaticAsset>): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  app.get('*', (c) => {
    const path = c.req.path === '/' ? '/index.html' : c.req.path;
    const asset = assets.get(path);
    if (!asset) return c.text('Not found', 404);
    c.header('Content-Type', asset.contentType);
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.body);
  });
  return app;
}
