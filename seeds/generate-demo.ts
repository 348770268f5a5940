/**
 * Writes a demo world's feeds and truth:
 *
 *   node --import tsx seeds/generate-demo.ts --out DIR [--units N] [--seed S] [--as-of YYYY-MM-DD]
 *
 * The truth goes to DIR-truth/ beside DIR.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO, generateWorld, writeFeeds } from './demo-world.ts';

export async function runGenerateDemo(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      units: { type: 'string' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
    },
    strict: true,
  });
  if (!values.out) {
    out.write('usage: generate-demo --out DIR [--units N] [--seed S] [--as-of YYYY-MM-DD]\n');
    return 2;
  }
  const units = values.units === undefined ? DEMO.units : Number(values.units);
  const seed = values.seed === undefined ? DEMO.seed : Number(values.seed);
  const asOf = values['as-of'] ?? DEMO.asOf;
  if (!Number.isInteger(units) || units < 1 || !Number.isInteger(seed) || !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    out.write('--units and --seed take integers, --as-of a YYYY-MM-DD date\n');
    return 2;
  }
  const started = performance.now();
  const world = generateWorld({ units, seed, asOf });
  const manifest = await writeFeeds(world, values.out, { asOf, seed });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  out.write(`${units} units (seed ${seed}, as of ${asOf}) in ${seconds} s\n`);
  for (const f of manifest.files) out.write(`  ${f.path.padEnd(44)} ${String(f.records).padStart(8)} rows\n`);
  const t = manifest.truth;
  out.write(`truth → ${path.relative(process.cwd(), manifest.truthDir) || '.'}: ${t.records} records, ${t.units} units, `);
  out.write(`${t.reports} report rows for ${t.reportedUnits} units, ${t.brokenCodes} broken codes, ${t.pitfalls} pitfalls\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runGenerateDemo(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
