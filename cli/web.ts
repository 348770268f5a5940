import type { Command } from 'commander';
import type { CommandEnv } from './shared.ts';

/** `gridlink serve`, `gridlink users`: the stewards' and inspectors' pages and their accounts. */
export function registerWebCommands(_program: Command, _env: CommandEnv): void {}
