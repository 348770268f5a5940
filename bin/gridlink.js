#!/usr/bin/env node
// The command runs the TypeScript sources through tsx, so `npm ci` is the whole install: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
