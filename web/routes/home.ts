import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { canSteward } from '../security/viewer.ts';

export function registerHomeRoute(app: Hono<AppEnv>): void {
  // Stewards start with their queue; inspectors with their grids.
  app.get('/', (c) => c.redirect(canSteward(c.get('viewer')) ? '/review' : '/grids', 302));
  app.get('/api/me', (c) => {
    const v = c.get('viewer');
    return c.json({ username: v.username, displayName: v.displayName, role: v.role, grids: v.grids });
  });
}
