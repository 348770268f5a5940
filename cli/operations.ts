import type { Command } from 'commander';
import type { CommandEnv } from './shared.ts';

/** `gridlink schedule`, `gridlink pull`: the nightly scheduler and the agencies' HTTP pulls. */
export function registerOperationsCommands(_program: Command, _env: CommandEnv): void {}
