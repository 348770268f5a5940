import type { Command } from 'commander';
import type { CommandEnv } from './shared.ts';

/** `gridlink review …` and `gridlink show UNIT`: the stewards' queue and the file of one unit (一企一档). */
export function registerReviewCommands(_program: Command, _env: CommandEnv): void {}
