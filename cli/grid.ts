import type { Command } from 'commander';
import { formatGridStatus } from './status.ts';
import { withDatabase, type CommandEnv } from './shared.ts';

/** `gridlink grid …`: the inspection grid, placement rules and the unplaced queue. */
export function registerGridCommands(program: Command, { out }: CommandEnv): void {
  const grid = program.command('grid').description('the inspection grid');
  grid
    .command('status')
    .description('units per grid, unplaced by reason, open reports by reason')
    .action(async () => {
      out.write(`${await withDatabase((d) => formatGridStatus(d.db))}\n`);
    });
}
