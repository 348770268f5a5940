import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv } from './context.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/** The hand-written script and style sheet, read once; served without a session (they hold no data). */
export function registerStaticFiles(app: Hono<AppEnv>): void {
  const files = new Map<string, { body: string; type: string }>();
  for (const name of fs.readdirSync(DIR)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { body: fs.readFileSync(path.join(DIR, name), 'utf8'), type });
  }
  app.get('/static/:name', (c) => {
    const file = files.get(c.req.param('name'));
    if (!file) return c.text('not found', 404);
    c.header('Content-Type', file.type);
    c.header('Cache-Control', 'no-cache');
    return c.body(file.body);
  });
}
