/** What `gridlink demo` and `gridlink seed demo` call: the demo world written into an inbox. */
import { DEMO, type FeedManifest, generateWorld, writeFeeds } from './demo-world.ts';

export { DEMO };

export async function generateDemoInbox(
  dir: string,
  opts: { units?: number; seed?: number; asOf?: string } = {},
): Promise<FeedManifest> {
  const asOf = opts.asOf ?? DEMO.asOf;
  const seed = opts.seed ?? DEMO.seed;
  const world = generateWorld({ units: opts.units ?? DEMO.units, seed, asOf });
  return writeFeeds(world, dir, { asOf, seed });
}
